import { join } from 'node:path';
import { runJsonScript } from '../../common/testing/json-child-process';

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
  return runJsonScript<ExtractedPdf[]>(join(__dirname, 'pdf-text.mjs'), { pdfs: pdfs.map((pdf) => pdf.toString('base64')) });
}
