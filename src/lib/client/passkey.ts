/**
 * A passkey ceremony from a page: ask the page's `optionsAction` for the options, let the browser
 * (and the person's device) answer them through @simplewebauthn/browser, and post the answer to
 * `answerAction` with the extra fields given. Returns the action's result for `applyAction`.
 */
import { deserialize } from '$app/forms';
import type { ActionResult } from '@sveltejs/kit';
import {
	startAuthentication,
	startRegistration,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON
} from '@simplewebauthn/browser';

async function post(action: string, fields: Record<string, string>): Promise<ActionResult> {
	const body = new FormData();
	for (const [key, value] of Object.entries(fields)) body.set(key, value);
	const response = await fetch(action, {
		method: 'POST',
		body,
		headers: { 'x-sveltekit-action': 'true' }
	});
	return deserialize(await response.text());
}

export async function passkeyCeremony(
	mode: 'register' | 'authenticate',
	optionsAction: string,
	answerAction: string,
	fields: Record<string, string> = {}
): Promise<ActionResult> {
	const asked = await post(optionsAction, {});
	if (asked.type !== 'success' || !asked.data?.passkeyOptions) return asked;
	const options = asked.data.passkeyOptions;
	const response =
		mode === 'register'
			? await startRegistration({
					optionsJSON: options as PublicKeyCredentialCreationOptionsJSON
				})
			: await startAuthentication({
					optionsJSON: options as PublicKeyCredentialRequestOptionsJSON
				});
	return post(answerAction, { ...fields, response: JSON.stringify(response) });
}
