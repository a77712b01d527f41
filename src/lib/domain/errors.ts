/**
 * The one error type of the application: a problem a person can act on, as a code with values.
 * Verbs, loads and commands throw it; it is said in the reader's language once, at the edge
 * (`problem.<code>` in src/lib/i18n: the page's language for a page, English for the command
 * line), and mapped to its HTTP status once, here. Anything else that is thrown is a bug: it is
 * logged with an id and shown as "internal error" with that id.
 */
export const PROBLEMS = {
	// Reading regions, TPS, dates and days.
	pageNotFound: 404,
	tpsNotFound: 404,
	badCursor: 400,
	badLimit: 400,
	streamLevel: 400,
	regionNotFound: 404,
	outsideScope: 403,
	badDate: 400,
	listLevel: 400,
	noCampaign: 404,
	reportNotYet: 404,
	reportOutOfRange: 404,
	dayNotFrozen: 404,
	// Who may do what.
	campaignForbidden: 403,
	importForbidden: 403,
	auditForbidden: 403,
	usersForbidden: 403,
	accountForbidden: 403,
	roleForbidden: 403,
	notesForbidden: 403,
	devicesForbidden: 403,
	alertsForbidden: 403,
	resolveForbidden: 403,
	readOnly: 403,
	// Accounts.
	adminScope: 400,
	leaderScope: 400,
	coordinatorScope: 400,
	observerScope: 400,
	badRole: 400,
	unknownRegion: 400,
	badEmail: 400,
	shortPassword: 400,
	weakPassword: 400,
	wrongPassword: 400,
	accountExists: 409,
	// Second factors and re-authentication.
	factorsOwnOnly: 403,
	totpExists: 409,
	totpNotStarted: 409,
	totpWrong: 400,
	lastFactor: 409,
	passkeyFailed: 400,
	noPasskey: 404,
	reauthRequired: 401,
	signInExpired: 401,
	badTokenTerm: 400,
	noApiToken: 404,
	noAccount: 404,
	// Alerts and follow-ups.
	alertNotFound: 404,
	alertResolved: 409,
	noteRequired: 400,
	noteTooLong: 400,
	followupEmpty: 400,
	tpsNotInRegion: 400,
	// Phones.
	badTpsCode: 400,
	noPantarlih: 404,
	enrolPick: 400,
	// The heartbeat log's archive.
	logForbidden: 403,
	archiveNothing: 404,
	archiveHeldBack: 409,
	archiveChanged: 409,
	archiveUnreadable: 400,
	archiveUnknown: 409,
	archiveNotInTree: 409,
	// The transparency log.
	logSizes: 400,
	logNotSigned: 404,
	receiptNotFound: 404,
	receiptNotYet: 503,
	badTile: 400,
	tileNotFound: 404,
	cosignatureUnreadable: 400,
	cosignatureUnknownWitness: 403,
	cosignatureNotOurs: 409,
	cosignatureBad: 400,
	witnessExists: 409,
	witnessBadKey: 400,
	// Imports.
	importUnreadable: 400,
	importNoFile: 400,
	importTooLarge: 413,
	importNotXlsx: 400,
	importNoSheet: 400,
	importNotText: 400,
	importBadCsv: 400,
	importEmpty: 400,
	importNoTpsColumn: 400,
	importNothingToChange: 400,
	importExpired: 410,
	importStillErrors: 400,
	// The campaign, curves and thresholds.
	campaignMissing: 409,
	campaignName: 400,
	campaignDates: 400,
	pointsFormat: 400,
	pointsDay: 400,
	pointsPercent: 400,
	pointsDaysRise: 400,
	pointsCumulative: 400,
	overrideLevel: 400,
	thresholds: 400,
	// Forms, filters and downloads.
	formUnreadable: 400,
	formInvalid: 400,
	badFormat: 400,
	badFilter: 400,
	pdfNeedsSession: 403,
	pdfUnavailable: 503,
	// Everything else.
	internal: 500
} as const;

export type Problem = keyof typeof PROBLEMS;
export type ProblemValues = Record<string, string | number>;

export class AppError extends Error {
	override name = 'AppError';
	readonly status: number;

	constructor(
		readonly problem: Problem,
		readonly values: ProblemValues = {}
	) {
		super(`${problem}${Object.keys(values).length > 0 ? ` ${JSON.stringify(values)}` : ''}`);
		this.status = PROBLEMS[problem];
	}
}

/** Throws unless `allowed`: the first line of every verb. */
export function ensure(allowed: boolean, problem: Problem, values?: ProblemValues): void {
	if (!allowed) throw new AppError(problem, values);
}
