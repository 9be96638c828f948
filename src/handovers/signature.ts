import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Headers of a signed request (a delivery to a target, or a callback from it). */
export const TIMESTAMP_HEADER = 'x-foundry-timestamp';
export const SIGNATURE_HEADER = 'x-foundry-signature';
/** How far a signed timestamp may be from now (replays older than this are refused). */
export const SIGNATURE_WINDOW_SECONDS = 300;

/**
 * `sha256=<hex>`: HMAC-SHA256 with the target's secret over `<timestamp>.` followed by the
 * body's bytes, so neither the body nor the time can be changed without the secret.
 */
export function signBody(secret: string, timestamp: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** The same signature over a file, read as a stream (a package may be gigabytes). */
export async function signFile(secret: string, timestamp: string, path: string): Promise<string> {
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`);
  for await (const chunk of createReadStream(path)) hmac.update(chunk as Buffer);
  return `sha256=${hmac.digest('hex')}`;
}

/** Checks a signature and its timestamp window; returns why it fails, or null when it holds. */
export function verifySignature(secret: string, timestamp: string | undefined, signature: string | undefined, body: Buffer, now = Date.now()): string | null {
  return verifySignatureDigest(timestamp, signature, signBody(secret, timestamp ?? '', body), now);
}

/** The same check when the expected signature was computed while the body streamed in. */
export function verifySignatureDigest(timestamp: string | undefined, signature: string | undefined, expectedSignature: string, now = Date.now()): string | null {
  if (!timestamp || !/^\d+$/.test(timestamp)) return `${TIMESTAMP_HEADER} is missing or not Unix seconds`;
  if (Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return `${TIMESTAMP_HEADER} is outside the ${SIGNATURE_WINDOW_SECONDS} s window`;
  if (!signature) return `${SIGNATURE_HEADER} is missing`;
  const expected = Buffer.from(expectedSignature);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'the signature does not match';
}
