/**
 * A Chart.js chart as a Svelte attachment: built from plain data (never reactive proxies) when
 * the canvas appears, rebuilt when the data it reads changes, destroyed when it goes.
 */
import type { ChartConfiguration } from 'chart.js';

export function chart(config: () => ChartConfiguration) {
	return (canvas: HTMLCanvasElement) => {
		const settings = config();
		let instance: { destroy(): void } | null = null;
		let cancelled = false;
		(async () => {
			const { Chart, registerables } = await import('chart.js');
			if (cancelled) return;
			Chart.register(...registerables);
			instance = new Chart(canvas, settings);
		})();
		return () => {
			cancelled = true;
			instance?.destroy();
		};
	};
}
