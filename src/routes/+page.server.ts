import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// Everyone starts at the region of their scope: the nation, their province or their regency.
export const load: PageServerLoad = ({ locals }) => {
	redirect(303, `/wilayah/${locals.user!.scope}`);
};
