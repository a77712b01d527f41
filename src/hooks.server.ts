import { randomUUID } from 'node:crypto';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { requestLanguage, requestTranslator } from '$lib/i18n';
import { describe, logger } from '$lib/server/platform/log';
import { sequence } from '@sveltejs/kit/hooks';
import {
	handleAuthentication,
	handleAuthorization,
	handleFormText,
	handleSecurityHeaders
} from '$lib/server/platform/http/handles';
import { startServices } from '$lib/server/runtime';

// Runs before the server listens: migrate, seed on first start, load roll-ups.
export const init: ServerInit = async () => {
	await startServices();
};

/** `<html lang>` follows the chosen language (Bahasa Indonesia unless the cookie says en). */
const handleLanguage: Handle = ({ event, resolve }) => {
	const lang = requestLanguage(event.cookies);
	return resolve(event, {
		transformPageChunk: ({ html }) => html.replace('<html lang="id">', `<html lang="${lang}">`),
		preload: ({ type, path }) =>
			type === 'font' ? path.includes('inter-latin-wght') : type === 'js' || type === 'css'
	});
};

export const handle = sequence(
	handleSecurityHeaders,
	handleLanguage,
	handleFormText,
	handleAuthentication,
	handleAuthorization
);

/**
 * Errors nobody threw on purpose (AppErrors become HTTP errors in the routes, http/errors.ts):
 * logged once with an id, and shown in the page's language with that id, never with a stack.
 */
export const handleError: HandleServerError = ({ error, event, status }) => {
	const t = requestTranslator(event.cookies);
	if (status === 404) return { message: t('problem.pageNotFound') };
	const id = randomUUID().slice(0, 8);
	logger().error({ id, path: event.url.pathname }, `[http] unexpected error: ${describe(error)}`);
	return { message: t('problem.internal', { id }), id };
};
