import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature';

/** A package the receiver accepted. */
export interface ReceivedPackage {
  datasetUuid: string;
  version: number;
  sha256: string;
  size: number;
  receiptId: string;
  /** The zip, when the receiver keeps bodies (`keepBodies`); a bench with big packages does not. */
  body: Buffer | null;
}

/** One PUT as it arrived, and how it was answered. */
export interface PutLogEntry {
  at: number;
  url: string;
  idempotencyKey: string | null;
  /** The answer's status; null while unanswered, or when the connection was dropped. */
  status: number | null;
  /** This PUT stored the package (the first acceptance); a repeat of the same package is answered 202 too, but stores nothing. */
  stored: boolean;
}

/**
 * A reference receiver of the handover HTTP contract, for tests, benchmarks and demos: what a
 * DX platform has to implement to take packages from Foundry Hub. Not used by the service.
 *
 * `PUT /handovers/{datasetUuid}/versions/{n}`, body = the package zip, headers:
 * - `Idempotency-Key`: the package's SHA-256 (hex); the body must hash to it (else 400);
 * - `X-Handover-Timestamp`: Unix seconds, within 5 minutes of now;
 * - `X-Handover-Signature`: `sha256=` + hex HMAC-SHA256 with the shared secret over
 *   `"<timestamp>.<Idempotency-Key>"` (else 401).
 * Answers: 202 `{ receiptId, status: "RECEIVED", packageSha256 }` for a new package, and the
 * same receipt when the same package arrives again (a retry: stored once); 409 when another
 * package was already stored under that dataset version. `GET` on the same path (signed over
 * the SHA-256 of its empty body) answers `{ status, remoteId? }`: how far the platform has got
 * with that version.
 *
 * It can be told to fail (`failNext(n, status)`, or drop the connection unanswered), to be slow
 * (`delayMs`) or to be down (`down()`, `up()`: connections refused), and logs every PUT with its
 * answer, so tests can prove a handover is delivered, and registered, exactly once.
 */
export class ReferenceReceiver {
  readonly packages = new Map<string, ReceivedPackage>();
  requests = 0;
  /** PUT requests only (deliveries, retries included). */
  puts = 0;
  /** Every PUT as it arrived (failed ones too): when, where, under which idempotency key, and the answer. */
  readonly putLog: PutLogEntry[] = [];
  delayMs = 0;
  private failures: (number | 'drop')[] = [];
  private readonly statuses = new Map<string, { status: string; remoteId?: string }>();
  private server: Server | null = null;
  private port = 0;
  private downed = false;

  constructor(
    readonly secret: string,
    private readonly options: { keepBodies?: boolean } = { keepBodies: true },
  ) {}

  /** The next `count` requests answer `status` (503: retry later), or with `'drop'` get their connection closed unanswered. */
  failNext(count: number, status: number | 'drop' = 503): void {
    this.failures.push(...Array<number | 'drop'>(count).fill(status));
  }

  async start(): Promise<string> {
    await this.listen(0);
    return `http://127.0.0.1:${this.port}`;
  }

  /** The platform goes down: connections are refused until `up()`; a request in flight is still answered. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server || this.downed) return;
    this.downed = true;
    this.server = null;
    // Resolves once the open connections are gone (answers given while down close theirs).
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Back up, at the same address. */
  async up(): Promise<void> {
    if (!this.downed) return;
    await this.listen(this.port);
    this.downed = false;
  }

  private async listen(port: number): Promise<void> {
    // A sender that dies mid-upload aborts the request: nothing is stored, the connection is dropped.
    const server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** The PUTs of a dataset's versions answered 2xx: one per delivery (retries of an unanswered one included). */
  accepted(datasetUuid: string): PutLogEntry[] {
    return this.putLog.filter((put) => put.url.includes(`/handovers/${datasetUuid}/`) && put.status !== null && put.status >= 200 && put.status < 300);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const entry: PutLogEntry | null = req.method === 'PUT' ? { at: Date.now(), url: req.url ?? '', idempotencyKey: header(req, 'idempotency-key') ?? null, status: null, stored: false } : null;
    if (entry) {
      this.puts++;
      this.putLog.push(entry);
    }
    const answer = (status: number, body: object) => {
      if (entry) entry.status = status;
      this.answer(res, status, body);
    };
    const match = /^\/handovers\/([0-9a-f-]{36})\/versions\/(\d+)$/.exec(req.url ?? '');
    // The body is hashed as it arrives; kept only when asked for.
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (this.options.keepBodies) chunks.push(chunk as Buffer);
    }
    const sha256 = hash.digest('hex');
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const failure = this.failures.shift();
    if (failure === 'drop') return void req.socket.destroy();
    if (failure) return answer(failure, { error: 'told to fail' });
    if (!match) return answer(404, { error: 'no such route' });
    const key = `${match[1]}/${match[2]}`;
    const timestamp = header(req, TIMESTAMP_HEADER);
    if (req.method === 'GET') return this.status(res, key, verifySignature(this.secret, timestamp, header(req, SIGNATURE_HEADER), sha256));
    if (req.method !== 'PUT') return answer(405, { error: 'PUT or GET' });
    // The signature covers the timestamp and the declared key; the body must hash to that key.
    const idempotencyKey = header(req, 'idempotency-key') ?? '';
    const problem = verifySignature(this.secret, timestamp, header(req, SIGNATURE_HEADER), idempotencyKey);
    if (problem) return answer(401, { error: problem });
    if (idempotencyKey !== sha256) return answer(400, { error: 'the body does not hash to the Idempotency-Key' });
    const existing = this.packages.get(key);
    if (existing) {
      return existing.sha256 === sha256
        ? answer(202, { receiptId: existing.receiptId, status: 'RECEIVED', packageSha256: sha256 })
        : answer(409, { error: `another package (${existing.sha256}) is registered for this version` });
    }
    const receiptId = `rcpt-${randomUUID()}`;
    this.packages.set(key, { datasetUuid: match[1], version: Number(match[2]), sha256, size, receiptId, body: this.options.keepBodies ? Buffer.concat(chunks) : null });
    entry!.stored = true;
    return answer(202, { receiptId, status: 'RECEIVED', packageSha256: sha256 });
  }

  /** What the platform has made of a version, as a test sets it (`setStatus`): `received` until then. */
  private status(res: ServerResponse, key: string, problem: string | null): void {
    if (problem) return this.answer(res, 401, { error: problem });
    const stored = this.packages.get(key);
    if (!stored) return this.answer(res, 404, { error: 'no package for this version' });
    return this.answer(res, 200, this.statuses.get(key) ?? { status: 'received' });
  }

  /** Pretends the platform moved a version on (registered, published …). */
  setStatus(datasetUuid: string, version: number, status: string, remoteId?: string): void {
    this.statuses.set(`${datasetUuid}/${version}`, { status, remoteId });
  }

  private answer(res: ServerResponse, status: number, body: object): void {
    res.writeHead(status, { 'content-type': 'application/json', ...(this.downed ? { connection: 'close' } : {}) }).end(JSON.stringify(body));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
