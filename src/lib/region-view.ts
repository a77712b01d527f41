/**
 * What the region page and its rakor report draw alike: which boundary file holds a level's
 * children, what the children are called, short date labels, and the coverage-against-target
 * chart. Browser and server.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Translate } from './i18n';

/** Boundaries exist for provinces and regencies only; below that, TPS points and the table. */
export const BOUNDARIES: Partial<Record<string, string>> = {
	nation: '/geo/provinces-2024.geo.json',
	province: '/geo/regencies-2024.geo.json'
};

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
			scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } }
		}
	};
}
