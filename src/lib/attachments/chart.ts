/**
 * A Chart.js chart as a Svelte attachment: built from plain data (never reactive proxies) when
 * the canvas appears, rebuilt when the data it reads changes, destroyed when it goes.
 */
import type { ChartConfiguration } from 'chart.js';
import { whenNear } from './near';

/**
 * `drawn` is called once the chart exists (the report waits for it before printing). Chart.js is
 * loaded when the canvas comes near the viewport, unless `eager`.
 */
export function chart(
	config: () => ChartConfiguration,
	drawn?: () => void,
	{ eager = false }: { eager?: boolean } = {}
) {
	return (canvas: HTMLCanvasElement) => {
		const settings = config();
		let instance: { destroy(): void } | null = null;
		let cancelled = false;
		const draw = async () => {
			const { Chart, registerables } = await import('chart.js');
			if (cancelled) return;
			Chart.register(...registerables);
			instance = new Chart(canvas, settings);
			canvas.setAttribute('data-drawn', '');
			drawn?.();
		};
		const cancelStart = whenNear(canvas, () => void draw(), { eager });
		return () => {
			cancelled = true;
			cancelStart();
			canvas.removeAttribute('data-drawn');
			instance?.destroy();
		};
	};
}
