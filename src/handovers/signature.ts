import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a signed request (a delivery to a target, or a callback from it). */
export const TIMESTAMP_HEADER = 'x-handover-timestamp';
export const SIGNATURE_HEADER = 'x-handover-signature';
/** How far a signed timestamp may be from now (replays older than this are refused). */
export const SIGNATURE_WINDOW_SECONDS = 300;

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * `sha256=<hex>`: HMAC-SHA256 with the target's secret over `"<timestamp>.<sha256 hex>"`, where
 * the hash is the package's (a delivery) or the body's (a callback, a status question), so
 * neither the content nor the time can be changed without the secret.
 */
export function sign(secret: string, timestamp: string, sha256: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${sha256}`).digest('hex')}`;
}

/** The signature of a request whose body is `body`. */
export function signBody(secret: string, timestamp: string, body: Buffer): string {
  return sign(secret, timestamp, sha256Hex(body));
}

/** Checks a signature over `sha256` and its timestamp window; returns why it fails, or null when it holds. */
export function verifySignature(secret: string, timestamp: string | undefined, signature: string | undefined, sha256: string, now = Date.now()): string | null {
  if (!timestamp || !/^\d+$/.test(timestamp)) return `${TIMESTAMP_HEADER} is missing or not Unix seconds`;
  if (Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return `${TIMESTAMP_HEADER} is outside the ${SIGNATURE_WINDOW_SECONDS} s window`;
  if (!signature) return `${SIGNATURE_HEADER} is missing`;
  const expected = Buffer.from(sign(secret, timestamp, sha256));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'the signature does not match';
}
