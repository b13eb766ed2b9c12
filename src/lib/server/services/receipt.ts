import QRCode from 'qrcode';

/** The QR code of a receipt, as inline SVG: it opens the request's page when scanned. */
export function receiptQr(url: string): Promise<string> {
	return QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}
