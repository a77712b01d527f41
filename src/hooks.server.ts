import type { ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import {
	handleAuthentication,
	handleAuthorization,
	handleSecurityHeaders
} from '$lib/server/http/handles';
import { startServices } from '$lib/server/runtime';

// Runs before the server listens: migrate, seed on first start, load roll-ups.
export const init: ServerInit = async () => {
	await startServices();
};

export const handle = sequence(handleSecurityHeaders, handleAuthentication, handleAuthorization);
