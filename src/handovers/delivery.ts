import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { signFile, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

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

/**
 * HTTP target: `PUT {base}/handovers/{datasetUuid}/versions/{n}` with the package streamed as
 * the body, `Idempotency-Key: <package sha256>` and an HMAC signature over the timestamp and
 * the body. 2xx with a receipt id is delivered; 409 (another package under that version) is
 * rejected; 5xx, a timeout or no connection is retried.
 */
export async function deliverHttp(base: string, secret: string, address: DeliveryAddress, pkg: BuiltPackage): Promise<DeliveryOutcome> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await signFile(secret, timestamp, pkg.path);
  const url = `${base.replace(/\/+$/, '')}/handovers/${address.datasetUuid}/versions/${address.version}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      body: Readable.toWeb(createReadStream(pkg.path)) as unknown as ReadableStream,
      duplex: 'half',
      headers: {
        'content-type': 'application/zip',
        'content-length': String(pkg.size),
        'idempotency-key': pkg.sha256,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signature,
      },
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    } as RequestInit);
  } catch (error) {
    throw new RetryableDeliveryError(`PUT ${url} failed: ${(error as Error).message}`);
  }
  const text = await response.text().catch(() => '');
  if (response.status === 409) return { outcome: 'rejected', error: `the target refused it: ${text.slice(0, 500)}` };
  if (response.status >= 200 && response.status < 300) {
    const receiptId = (() => {
      try {
        return String((JSON.parse(text) as { receiptId?: unknown }).receiptId ?? '');
      } catch {
        return '';
      }
    })();
    return { outcome: 'delivered', receiptId: receiptId || response.headers.get('x-receipt-id') || pkg.sha256 };
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) throw new RetryableDeliveryError(`PUT ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return { outcome: 'rejected', error: `PUT ${url} answered ${response.status}: ${text.slice(0, 500)}` };
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
