import { redirect, fail, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { deviceCookieName } from '$lib/server/accounts/login';
import { sessionCookieName } from '$lib/server/accounts/session';
import {
	factorsOf,
	hasFactor,
	passkeyAuthenticationOptions,
	relyingParty
} from '$lib/server/accounts/factors';
import { proveSecondFactor, type Proof } from '$lib/server/accounts/second-step';
import { cookieOptions } from '$lib/server/platform/http/cookies';
import { formAction, formText } from '$lib/server/platform/http/errors';
import { sameOriginPath } from '$lib/server/platform/http/redirect';
import { services } from '$lib/server/runtime';
import type { Translate } from '$lib/i18n';
import type { Actions, PageServerLoad } from './$types';

/** The second step of signing in: an app code, a recovery code or a passkey. */
export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, sameOriginPath(url.searchParams.get('ke'), url.origin));
	if (!locals.pending || locals.session?.stage === 'full') redirect(303, '/login');
	const { handle } = await services();
	const factors = await factorsOf(handle.db, locals.pending.id);
	// An enrolment whose factor was saved but whose sign-in did not finish proves it here.
	if (!hasFactor(factors)) redirect(303, `/masuk/faktor${url.search}`);
	return {
		email: locals.pending.email,
		totp: factors.totp,
		passkeys: factors.passkeys.length,
		recoveryLeft: factors.recoveryLeft
	};
};

const codeForm = z.object({ code: formText(40), kind: formText(10), trust: formText(3) });
const passkeyForm = z.object({ response: formText(20_000), trust: formText(3) });

async function prove(
	event: RequestEvent,
	proof: Exclude<Proof, { kind: 'password' }>,
	trust: boolean,
	t: Translate
) {
	const pending = event.locals.pending;
	const session = event.locals.session;
	if (!pending || !session || session.stage === 'full') redirect(303, '/login');
	const { handle, loginLimits } = await services();
	const result = await proveSecondFactor(
		handle.db,
		loginLimits,
		{
			sessionId: session.id,
			userId: pending.id,
			ip: event.getClientAddress(),
			device: event.cookies.get(deviceCookieName),
			userAgent: event.request.headers.get('user-agent')
		},
		proof,
		trust
	);
	if (!result.ok)
		return fail(result.problem === 'tooMany' ? 429 : 400, {
			message: t(`secondStep.${result.problem}`, { minutes: result.minutes }),
			problem: result.problem
		});
	event.cookies.set(
		sessionCookieName,
		result.token,
		cookieOptions(event.url, { expires: result.expiresAt })
	);
	event.cookies.set(
		deviceCookieName,
		result.device.token,
		cookieOptions(event.url, { expires: result.device.expiresAt })
	);
	redirect(303, sameOriginPath(event.url.searchParams.get('ke'), event.url.origin));
}

export const actions: Actions = {
	code: formAction(codeForm, (event, form, _data, t) =>
		prove(
			event,
			{ kind: form.kind === 'recovery' ? 'recovery' : 'totp', code: form.code },
			form.trust === 'on',
			t
		)
	),
	passkeyOptions: formAction(z.object({}), async (event) => {
		const pending = event.locals.pending;
		if (!pending || !event.locals.sessionId) redirect(303, '/login');
		const { handle } = await services();
		return {
			passkeyOptions: await passkeyAuthenticationOptions(
				handle.db,
				pending.id,
				event.locals.sessionId,
				relyingParty(event.url)
			)
		};
	}),
	passkey: formAction(passkeyForm, async (event, form, _data, t) => {
		let response: AuthenticationResponseJSON;
		try {
			response = JSON.parse(form.response) as AuthenticationResponseJSON;
		} catch {
			return fail(400, { message: t('secondStep.passkeyFailed'), problem: 'passkeyFailed' });
		}
		return prove(
			event,
			{ kind: 'passkey', response, rp: relyingParty(event.url) },
			form.trust === 'on',
			t
		);
	})
};
