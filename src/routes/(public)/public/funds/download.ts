/** A Content-Disposition for a download whose name may be Chinese (RFC 6266 with an ASCII fallback). */
export function contentDisposition(fileName: string, fallback: string): string {
	const encoded = encodeURIComponent(fileName).replace(
		/['()*]/g,
		(c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()
	);
	return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
