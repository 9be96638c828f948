import { StreamableFile } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';

/**
 * A readable stream of what `write` writes, for answering a request with a document rendered
 * on the fly (a PDF). A failure half-way ends the stream with the error, so the client sees a
 * broken download rather than a truncated file that looks whole.
 */
export function streamOf(write: (out: Writable) => Promise<void>): Readable {
  const out = new PassThrough();
  write(out).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/** A PDF answer shown in the browser, with the file name it is saved under. */
export function pdfFile(stream: NodeJS.ReadableStream, filename: string): StreamableFile {
  return new StreamableFile(stream as never, { type: 'application/pdf', disposition: `inline; filename="${filename}"` });
}

/** What `measuring()` saw pass: bytes so far, and the SHA-256 (hex) once the stream has ended. */
export interface Measurement {
  size: number;
  sha256(): string;
}

/**
 * A pass-through that counts bytes and hashes them with SHA-256 on the way, for files and
 * packages whose size and hash are recorded as they are written. With `maxBytes`, the stream
 * fails with `tooLarge()` as soon as more would pass.
 */
export function measuring(options: { maxBytes?: number; tooLarge?: () => Error } = {}): { stream: Transform; measurement: Measurement } {
  const hash = createHash('sha256');
  const measurement = { size: 0, sha256: () => hash.digest('hex') };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      measurement.size += chunk.length;
      if (options.maxBytes !== undefined && measurement.size > options.maxBytes) return done(options.tooLarge?.() ?? new Error(`more than ${options.maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, measurement };
}
