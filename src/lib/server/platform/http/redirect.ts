/**
 * Where a redirect that carries a user-supplied target may go: only a path of this origin. The
 * target is parsed as a URL against the origin (as a browser would resolve the Location header),
 * never judged by its first characters: `/\evil.example`, `/%09/evil.example` or `//evil.example`
 * all resolve to another host and are refused. The answer is the parsed path, query and fragment,
 * so what is sent is exactly what was checked.
 */
export function sameOriginPath(
	target: string | null | undefined,
	origin: string,
	fallback = '/'
): string {
	if (!target || !target.startsWith('/')) return fallback;
	let url: URL;
	try {
		url = new URL(target, origin);
	} catch {
		return fallback;
	}
	if (url.origin !== new URL(origin).origin) return fallback;
	// A path that still starts with two slashes (or a backslash) would read as a host on the way back.
	const path = url.pathname + url.search + url.hash;
	return /^\/[/\\]/.test(path) ? fallback : path;
}
