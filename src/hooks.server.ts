import type { Handle, ServerInit } from '@sveltejs/kit';
import { startServices } from '$lib/server/runtime';

// Runs before the server listens: migrate, seed on first start, load roll-ups.
export const init: ServerInit = async () => {
	await startServices();
};

export const handle: Handle = ({ event, resolve }) => resolve(event);
