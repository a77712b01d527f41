/** Query parameters several pages and endpoints read, each checked one way. */
import { isLocalDate } from '../../../domain/calendar';
import { AppError } from '../../../domain/errors';

/** `?tanggal=YYYY-MM-DD`: a real calendar date, or null when absent; anything else refused. */
export function dateParam(url: URL, name = 'tanggal'): string | null {
	const value = url.searchParams.get(name);
	if (value !== null && !isLocalDate(value)) throw new AppError('badDate', { given: value });
	return value;
}
