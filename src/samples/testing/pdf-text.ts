import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What pdf-text.mjs reports for one PDF. */
export interface ExtractedPdf {
  pageCount: number;
  pageSizes: [number, number][];
  pages: string[];
}

/**
 * Text of each page, by MuPDF in a child process (it is ESM-only with top-level await, which
 * Jest cannot load): one process for all PDFs of this file, since starting MuPDF is the slow part.
 */
export function extractText(pdfs: Buffer[]): Promise<ExtractedPdf[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'pdf-text.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pdf-text.mjs exited with ${code}: ${Buffer.concat(stderr).toString()}`));
      try {
        resolve(JSON.parse(Buffer.concat(stdout).toString('utf8')) as ExtractedPdf[]);
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.end(JSON.stringify({ pdfs: pdfs.map((pdf) => pdf.toString('base64')) }));
  });
}

