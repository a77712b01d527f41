/** Indonesian number formats: 1.234.567 and 45,6%. Shared by server and browser. */
const integer = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('id-ID', {
	style: 'percent',
	minimumFractionDigits: 1,
	maximumFractionDigits: 1
});

export const formatNumber = (value: number) => integer.format(value);

/** A ratio as a percentage with one decimal; a dash when there is nothing to divide by. */
export function formatPercent(numerator: number, denominator: number): string {
	return denominator > 0 ? percent.format(numerator / denominator) : '–';
}
