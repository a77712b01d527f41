/**
 * The forms that enrol and remove second factors, shared by the account page (/akun, a signed-in
 * owner) and forced enrolment (/masuk/faktor, a session that has passed the password of a role
 * that requires a factor). The first factor enrolled in forced enrolment finishes signing in: the
 * pending session becomes a new full one. Verbs in factors.ts do the work; this file is the glue
 * between them, the form, the cookie and the socket bus.
 */
import type { RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../domain/errors';
import { cookieOptions } from '../platform/http/cookies';
import { formAction, formText } from '../platform/http/errors';
import { services } from '../runtime';
import { actorOf } from './actor';
import {
	addPasskey,
	confirmTotp,
	passkeyRegistrationOptions,
	relyingParty,
	removePasskey,
	removeTotp,
	startTotp,
	newRecoveryCodes
} from './factors';
import { deviceCookieName } from './login';
import { totpDisplay } from './account-page';
import { requireRecentProof, upgradeSession } from './second-step';
import { sessionCookieName } from './session';

/**
 * The account enrolling: signed in with a recent proof (re-authentication after 10 minutes, as any
 * dangerous act), or in forced enrolment (a session whose stage is exactly `enrol`: the password
 * was proved minutes ago and the account has no factor). A session waiting for its second step
 * may do none of this: adding a factor of one's own must not stand in for proving one.
 */
export function enrolling(event: RequestEvent, { addOnly = false } = {}) {
	const { user, pending, session, sessionId } = event.locals;
	const forced = !user && pending && session?.stage === 'enrol';
	const who = user ?? (forced ? pending : null);
	if (!who || !sessionId || who.readOnly) throw new AppError('factorsOwnOnly');
	// In forced enrolment only adding is offered.
	if (forced && !addOnly) throw new AppError('factorsOwnOnly');
	if (user) requireRecentProof(session);
	return { who, sessionId, actor: actorOf(who, event.getClientAddress()) };
}

/** Whether the account's role must keep a factor. */
const required = async (role: string) =>
	(await services()).signInPolicy.requiredRoles.some((r) => r === role);

/** Tells every process's sockets that these sessions ended. */
async function announce(ids: string[]) {
	if (ids.length > 0) (await services()).bus.emit('sessionsEnded', { ids, origin: 'local' });
}

/**
 * After the first factor of a forced enrolment: the session becomes full (a new cookie). Returns
 * whether it did.
 */
async function finishEnrolment(event: RequestEvent, factor: string): Promise<boolean> {
	if (event.locals.session?.stage !== 'enrol' || !event.locals.pending) return false;
	const { handle } = await services();
	const done = await upgradeSession(
		handle.db,
		{
			sessionId: event.locals.session.id,
			userId: event.locals.pending.id,
			ip: event.getClientAddress(),
			device: event.cookies.get(deviceCookieName),
			userAgent: event.request.headers.get('user-agent')
		},
		{ factor, trustBrowser: false }
	);
	event.cookies.set(
		sessionCookieName,
		done.token,
		cookieOptions(event.url, { expires: done.expiresAt })
	);
	event.cookies.set(
		deviceCookieName,
		done.device.token,
		cookieOptions(event.url, { expires: done.device.expiresAt })
	);
	return true;
}

const codeForm = z.object({ code: formText(20) });
const passkeyForm = z.object({ response: formText(20_000), name: formText(60) });
const removeForm = z.object({ id: formText(1_000) });
const empty = z.object({});

export const factorActions = {
	/** Begins enrolling an authenticator app: the secret, shown once, and its QR code. */
	totpStart: formAction(empty, async (event) => {
		const { actor } = enrolling(event, { addOnly: true });
		const { handle } = await services();
		const { secret } = await startTotp(handle.db, actor);
		return { totp: await totpDisplay(secret, actor.email) };
	}),
	/** The first code confirms the app. */
	totpConfirm: formAction(codeForm, async (event, form, _data, t) => {
		const { actor, sessionId } = enrolling(event, { addOnly: true });
		const { handle } = await services();
		const done = await confirmTotp(handle.db, actor, form.code, sessionId);
		await announce(done.endedSessions);
		const signedIn = await finishEnrolment(event, 'totp');
		return {
			message: t('account.totpAdded'),
			recoveryCodes: done.recoveryCodes,
			signedIn
		};
	}),
	totpRemove: formAction(empty, async (event, _form, _data, t) => {
		const { actor, sessionId, who } = enrolling(event);
		const { handle } = await services();
		await announce(await removeTotp(handle.db, actor, sessionId, await required(who.role)));
		return { message: t('account.totpRemoved') };
	}),
	/** A passkey ceremony's options (the page hands them to the browser). */
	passkeyOptions: formAction(empty, async (event) => {
		const { who, sessionId } = enrolling(event, { addOnly: true });
		const { handle } = await services();
		const options = await passkeyRegistrationOptions(
			handle.db,
			who,
			sessionId,
			relyingParty(event.url)
		);
		return { passkeyOptions: options };
	}),
	passkeyAdd: formAction(passkeyForm, async (event, form, _data, t) => {
		const { actor, sessionId } = enrolling(event, { addOnly: true });
		let response: RegistrationResponseJSON;
		try {
			response = JSON.parse(form.response) as RegistrationResponseJSON;
		} catch {
			throw new AppError('passkeyFailed');
		}
		const { handle } = await services();
		const done = await addPasskey(
			handle.db,
			actor,
			sessionId,
			response,
			form.name,
			relyingParty(event.url)
		);
		await announce(done.endedSessions);
		const signedIn = await finishEnrolment(event, 'passkey');
		return {
			message: t('account.passkeySaved'),
			recoveryCodes: done.recoveryCodes,
			signedIn
		};
	}),
	passkeyRemove: formAction(removeForm, async (event, form, _data, t) => {
		const { actor, sessionId, who } = enrolling(event);
		const { handle } = await services();
		await announce(
			await removePasskey(handle.db, actor, form.id, sessionId, await required(who.role))
		);
		return { message: t('account.passkeyRemoved') };
	}),
	recoveryNew: formAction(empty, async (event, _form, _data, t) => {
		const { actor } = enrolling(event);
		const { handle } = await services();
		return {
			message: t('account.recoveryNew'),
			recoveryCodes: await newRecoveryCodes(handle.db, actor)
		};
	})
};
