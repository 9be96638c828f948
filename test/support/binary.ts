/** A supertest parser that keeps a binary body (PDF, zip, SVG) as a Buffer: `.buffer(true).parse(binary)`. */
export function binary(res: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
