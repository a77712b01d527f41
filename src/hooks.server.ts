import type { Handle, ServerInit } from '@sveltejs/kit';
import { requestLanguage } from '$lib/i18n';
import { sequence } from '@sveltejs/kit/hooks';
import {
	handleAuthentication,
	handleAuthorization,
	handleFormText,
	handleSecurityHeaders
} from '$lib/server/http/handles';
import { startServices } from '$lib/server/runtime';

// Runs before the server listens: migrate, seed on first start, load roll-ups.
export const init: ServerInit = async () => {
	await startServices();
};

/** `<html lang>` follows the chosen language (Bahasa Indonesia unless the cookie says en). */
const handleLanguage: Handle = ({ event, resolve }) => {
	const lang = requestLanguage(event.cookies);
	return resolve(event, {
		transformPageChunk: ({ html }) => html.replace('<html lang="id">', `<html lang="${lang}">`)
	});
};

export const handle = sequence(
	handleSecurityHeaders,
	handleLanguage,
	handleFormText,
	handleAuthentication,
	handleAuthorization
);
