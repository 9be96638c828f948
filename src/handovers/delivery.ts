import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { sign, signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

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

/**
 * What the target made of the package. A target that cannot take it now (down, slow, 5xx)
 * is not an outcome: the delivery throws, and the job is tried again later.
 */
export type DeliveryOutcome = { outcome: 'delivered'; receiptId: string } | { outcome: 'rejected'; error: string };

const HTTP_TIMEOUT_MS = 10 * 60_000;
/** A status question must not hold up the API's answer for long. */
const POLL_TIMEOUT_MS = 3_000;

/**
 * HTTP target: `PUT {base}/handovers/{datasetUuid}/versions/{n}` with the package streamed as
 * the body, `Idempotency-Key: <package sha256>` and an HMAC signature over the timestamp and
 * that hash. 2xx with a receipt id is delivered (202 by the contract; 200 and 201 are taken
 * too); 409 (another package under that version) and other 4xx are rejected; 5xx, 408, 429, a
 * timeout or no connection throw, to be tried again.
 */
export async function deliverHttp(base: string, secret: string, address: DeliveryAddress, pkg: BuiltPackage): Promise<DeliveryOutcome> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const url = new URL(`${base.replace(/\/+$/, '')}/handovers/${address.datasetUuid}/versions/${address.version}`);
  let answer: { status: number; text: string };
  try {
    answer = await put(url, pkg, {
      'content-type': 'application/zip',
      'content-length': String(pkg.size),
      'idempotency-key': pkg.sha256,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: sign(secret, timestamp, pkg.sha256),
    });
  } catch (error) {
    throw new Error(`PUT ${url.href} failed: ${(error as Error).message}`);
  }
  const { status, text } = answer;
  if (status === 409) return { outcome: 'rejected', error: `the target refused it: ${text.slice(0, 500)}` };
  if (status >= 200 && status < 300) {
    const receiptId = receiptIdOf(text);
    return receiptId ? { outcome: 'delivered', receiptId } : { outcome: 'rejected', error: `PUT ${url.href} answered ${status} without a usable receiptId: ${text.slice(0, 300)}` };
  }
  if (status >= 500 || status === 408 || status === 429) throw new Error(`PUT ${url.href} answered ${status}: ${text.slice(0, 300)}`);
  return { outcome: 'rejected', error: `PUT ${url.href} answered ${status}: ${text.slice(0, 500)}` };
}

/** The `receiptId` of a JSON answer (what callbacks name the handover by: kept whole, so at most 200 characters), or null. */
function receiptIdOf(text: string): string | null {
  try {
    const { receiptId } = JSON.parse(text) as { receiptId?: unknown };
    return typeof receiptId === 'string' && receiptId.length > 0 && receiptId.length <= 200 ? receiptId : null;
  } catch {
    return null;
  }
}

/**
 * Asks an HTTP target how far it has got with a version: `GET {base}/handovers/{datasetUuid}/
 * versions/{n}`, signed over the hash of an empty body, answered with
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
function put(url: URL, pkg: BuiltPackage, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = client(url, { method: 'PUT', headers, timeout: HTTP_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
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
    throw new Error(`writing ${final} failed: ${(error as Error).message}`);
  }
}
