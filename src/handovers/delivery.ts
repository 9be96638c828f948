import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { signBody, signFile, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

/** A built package on local disk, ready to send. */
export interface BuiltPackage {
  path: string;
  sha256: string;
  size: number;
}

export interface DeliveryAddress {
  /** The dataset's id across versions, and the version. */
  datasetUuid: string;
  version: number;
}

export type DeliveryOutcome = { outcome: 'delivered'; receiptId: string } | { outcome: 'rejected'; error: string };

/** The target could not take the package now (down, slow, 5xx): try again later. */
export class RetryableDeliveryError extends Error {}

const HTTP_TIMEOUT_MS = 10 * 60_000;
/** A status question must not hold up the API's answer for long. */
const POLL_TIMEOUT_MS = 3_000;

/**
 * HTTP target: `PUT {base}/handovers/{datasetUuid}/versions/{n}` with the package streamed as
 * the body, `Idempotency-Key: <package sha256>` and an HMAC signature over the timestamp and
 * the body. 2xx with a receipt id is delivered; 409 (another package under that version) is
 * rejected; 5xx, a timeout or no connection is retried.
 */
export async function deliverHttp(base: string, secret: string, address: DeliveryAddress, pkg: BuiltPackage): Promise<DeliveryOutcome> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await signFile(secret, timestamp, pkg.path);
  const url = new URL(`${base.replace(/\/+$/, '')}/handovers/${address.datasetUuid}/versions/${address.version}`);
  let answer: { status: number; text: string; receiptHeader: string | null };
  try {
    answer = await put(url, pkg, {
      'content-type': 'application/zip',
      'content-length': String(pkg.size),
      'idempotency-key': pkg.sha256,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signature,
    });
  } catch (error) {
    throw new RetryableDeliveryError(`PUT ${url.href} failed: ${(error as Error).message}`);
  }
  const { status, text } = answer;
  if (status === 409) return { outcome: 'rejected', error: `the target refused it: ${text.slice(0, 500)}` };
  if (status >= 200 && status < 300) {
    let receiptId = '';
    try {
      receiptId = String((JSON.parse(text) as { receiptId?: unknown }).receiptId ?? '');
    } catch {
      /* a target may answer without a JSON body */
    }
    return { outcome: 'delivered', receiptId: receiptId || answer.receiptHeader || pkg.sha256 };
  }
  if (status >= 500 || status === 408 || status === 429) throw new RetryableDeliveryError(`PUT ${url.href} answered ${status}: ${text.slice(0, 300)}`);
  return { outcome: 'rejected', error: `PUT ${url.href} answered ${status}: ${text.slice(0, 500)}` };
}

/**
 * Asks an HTTP target how far it has got with a version: `GET {base}/handovers/{datasetUuid}/
 * versions/{n}`, signed like a delivery over an empty body, answered with
 * `{ status: 'received' | 'registered' | 'published' | 'rejected', remoteId? }`. Null when the
 * target does not know it (404) or does not support asking (405, 501).
 */
export async function pollHttp(base: string, secret: string, address: DeliveryAddress): Promise<{ status: string; remoteId?: string } | null> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const url = `${base.replace(/\/+$/, '')}/handovers/${address.datasetUuid}/versions/${address.version}`;
  const response = await fetch(url, {
    headers: { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signBody(secret, timestamp, Buffer.alloc(0)) },
    signal: AbortSignal.timeout(POLL_TIMEOUT_MS),
  });
  if ([404, 405, 501].includes(response.status)) return null;
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as { status: string; remoteId?: string };
}

/**
 * Streams the package file as the request body with node's HTTP client, which waits for the
 * socket to drain: memory stays flat however large the package (fetch with a web stream body
 * reads the whole file ahead on Node 20).
 */
function put(url: URL, pkg: BuiltPackage, headers: Record<string, string>): Promise<{ status: number; text: string; receiptHeader: string | null }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = client(url, { method: 'PUT', headers, timeout: HTTP_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), receiptHeader: (res.headers['x-receipt-id'] as string | undefined) ?? null }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${HTTP_TIMEOUT_MS} ms`)));
    // After the body is sent the pipeline has settled: a connection dropped or timed out while
    // waiting for the answer is only reported here, and without it the delivery would wait forever.
    req.on('error', reject);
    pipeline(createReadStream(pkg.path), req).catch(reject);
  });
}

/**
 * Folder target: the zip is written next to its final name, flushed to disk, then renamed, so
 * a reader of the folder never sees half a package. Delivering the same package again finds
 * it there and changes nothing.
 */
export async function deliverFolder(folder: string, address: DeliveryAddress, pkg: BuiltPackage): Promise<DeliveryOutcome> {
  await mkdir(folder, { recursive: true });
  const name = `${address.datasetUuid}-v${address.version}-${pkg.sha256.slice(0, 16)}.zip`;
  const final = join(folder, name);
  const existing = await stat(final).catch(() => null);
  if (existing?.size === pkg.size) return { outcome: 'delivered', receiptId: name };
  const temp = join(folder, `.${name}.${randomUUID()}.tmp`);
  try {
    await copyFile(pkg.path, temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, final);
    const directory = await open(folder, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return { outcome: 'delivered', receiptId: name };
  } catch (error) {
    await rm(temp, { force: true });
    throw new RetryableDeliveryError(`writing ${final} failed: ${(error as Error).message}`);
  }
}
