/** Text made safe to place inside HTML (map tooltips, the PDF footer). Browser and server. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
