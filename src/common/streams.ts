import { StreamableFile } from '@nestjs/common';
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

/** A PDF answer shown in the browser, with the file name it is saved under. */
export function pdfFile(stream: NodeJS.ReadableStream, filename: string): StreamableFile {
  return new StreamableFile(stream as never, { type: 'application/pdf', disposition: `inline; filename="${filename}"` });
}
