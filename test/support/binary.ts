import type { Response } from 'superagent';

/** A supertest parser that keeps a binary body (PDF, zip, SVG) as a Buffer: `.buffer(true).parse(binary)`. */
export function binary(res: Response, done: (error: Error | null, body: Buffer) => void): void {
  // superagent hands parsers the raw response stream, typed as its Response.
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
