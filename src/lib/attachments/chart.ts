/**
 * A Chart.js chart as a Svelte attachment: built from plain data (never reactive proxies) when
 * the canvas appears, rebuilt when the data it reads changes, destroyed when it goes.
 */
import type { ChartConfiguration } from 'chart.js';

/** `drawn` is called once the chart exists (the report waits for it before printing). */
export function chart(config: () => ChartConfiguration, drawn?: () => void) {
	return (canvas: HTMLCanvasElement) => {
		const settings = config();
		let instance: { destroy(): void } | null = null;
		let cancelled = false;
		(async () => {
			const { Chart, registerables } = await import('chart.js');
			if (cancelled) return;
			Chart.register(...registerables);
			instance = new Chart(canvas, settings);
			drawn?.();
		})();
		return () => {
			cancelled = true;
			instance?.destroy();
		};
	};
}
