import { PassThrough, Readable, Writable } from 'node:stream';

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
