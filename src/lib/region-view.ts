/**
 * What the region page and its rakor report draw alike: which boundary file holds a level's
 * children, what the children are called, short date labels, and the coverage-against-target
 * chart. Browser and server.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Translate } from './i18n';
import type { Forecast } from './domain/forecast';
import { finishState } from './domain/status';
import { formatDate } from './format';

/**
 * The file of a region's children's boundaries: the provinces for the nation, a province's own
 * regencies (one file per province, so Jawa Timur's map loads 71 KB, not the country's 2 MB).
 * Boundaries exist for provinces and regencies only; below that, TPS points and the table.
 */
export function boundaryUrl(level: string, code: string): string | undefined {
	if (level === 'nation') return '/geo/provinces-2024.geo.json';
	if (level === 'province') return `/geo/regencies/${code}.geo.json`;
	return undefined;
}

/** The regency boundary a regency, district or village map draws as its outline. */
export const regencyOutlineUrl = (code: string) => `/geo/regencies/${code.slice(0, 2)}.geo.json`;

export const CHILD_LEVEL: Record<string, string> = {
	nation: 'province',
	province: 'regency',
	regency: 'district',
	district: 'village',
	village: 'tps'
};

const short = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** A local date (YYYY-MM-DD) as "24 Nov". */
export const shortDate = (date: string) => short.format(new Date(`${date}T00:00:00Z`));

/** One day of a region's coverage series (the chart, the report, the dashboard's data). */
export interface ChartDay {
	date: string;
	coverage: number;
	share: number;
	/** Today's live value (the others are frozen days). */
	live?: boolean;
}

/** Coverage per day against the target curve, in percent. */
/** The top of the coverage chart's axis: above the highest point or target, in steps of 5%. */
export function axisTop(days: readonly Pick<ChartDay, 'coverage' | 'share'>[]): number {
	const highest = Math.max(0, ...days.map((d) => Math.max(d.coverage, d.share))) * 100;
	return Math.min(100, Math.max(5, Math.ceil((highest * 1.15) / 5) * 5));
}

/**
 * Ticks for a time axis in a zone: one per local midnight over a span of days (each date once),
 * or every few hours within a day.
 */
export function timeTicks(min: number, max: number, utcOffsetHours: number): number[] {
	const hour = 3_600_000;
	const span = max - min;
	const step = span > 36 * hour ? 24 * hour : span > 12 * hour ? 6 * hour : 2 * hour;
	const shift = utcOffsetHours * hour;
	const first = Math.ceil((min + shift) / step) * step - shift;
	const ticks: number[] = [];
	for (let t = first; t <= max; t += step) ticks.push(t);
	// Many days: at most about eight dates.
	const every = Math.max(1, Math.ceil(ticks.length / 8));
	return ticks.filter((_, i) => i % every === 0);
}

export function coverageChart(days: readonly ChartDay[], t: Translate): ChartConfiguration<'line'> {
	return {
		type: 'line',
		data: {
			labels: days.map((p) =>
				p.live ? `${shortDate(p.date)} (${t('chart.today')})` : shortDate(p.date)
			),
			datasets: [
				{
					label: t('chart.coverage'),
					data: days.map((p) => Math.round(p.coverage * 1000) / 10),
					borderColor: '#2166ac',
					backgroundColor: '#2166ac'
				},
				{
					label: t('chart.target'),
					data: days.map((p) => Math.round(p.share * 1000) / 10),
					borderColor: '#e6550d',
					borderDash: [6, 4],
					pointRadius: 0
				}
			]
		},
		options: {
			animation: false,
			maintainAspectRatio: false,
			// The axis fits the data, the target line included: a campaign at 3% is not drawn on the
			// floor of a 0-100% axis.
			scales: { y: { min: 0, max: axisTop(days), ticks: { callback: (v) => `${v}%` } } }
		}
	};
}

/**
 * The finish of a forecast in words (domain/status.ts finishState): a date with its year, "no
 * pace yet to project from", or "does not finish at this pace"; '–' without a forecast.
 */
export function finishLabel(
	forecast: Pick<Forecast, 'finish' | 'atRisk'> | null | undefined,
	t: Translate,
	/** In a table: "no pace yet" is a dash, said once under the table (`noPaceNote`). */
	inTable = false
): string {
	const state = finishState(forecast);
	if (!state) return '–';
	if (state.kind === 'date') return formatDate(state.date);
	if (state.kind === 'noPace') return inTable ? '–' : t('region.forecastNoPace');
	return t('report.noFinish');
}

/**
 * Labels that say "today" have a form for a past date ("hari itu", "pada tanggal itu"): a frozen
 * day's page, table, download and report never say "hari ini" of a day that is not today.
 */
const ON_THAT_DAY: Record<string, string> = {
	'region.todayTargetShort': 'region.pastTarget',
	'region.gap': 'region.gapPast',
	'region.tpsToday': 'region.tpsTodayPast',
	'map.gap': 'map.gapPast',
	'table.gap': 'table.gapPast',
	'table.syncedToday': 'table.syncedThatDay',
	'status.onTrack': 'status.onTrackPast'
};

/** The i18n key for `key` on the day shown: itself for today's live numbers, its past form otherwise. */
export const onDay = (key: string, live: boolean): string =>
	live ? key : (ON_THAT_DAY[key] ?? key);

/** The words of a region's pace state on the day shown. */
export const paceKey = (status: string, live: boolean) => onDay(`status.${status}`, live);

/** Whether any row's finish is a dash for "no pace yet" (then the table says so once). */
export const noPaceNote = (
	forecasts: readonly (Pick<Forecast, 'finish' | 'atRisk'> | null | undefined)[]
) => forecasts.some((f) => finishState(f)?.kind === 'noPace');
