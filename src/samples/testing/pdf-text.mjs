// Test helper: extracts the text of PDFs with MuPDF (the `mupdf` package, WebAssembly).
//
// mupdf is ESM-only and initialises with top-level await, which Jest's CommonJS module system
// cannot load in-process, so tests run this script as a child `node` process, once per test
// file with every PDF in one batch (starting MuPDF costs ~0.3 s).
//
// stdin:  JSON { "pdfs": ["<base64 of a PDF>", ...] }
// stdout: JSON [{ "pageCount": n, "pageSizes": [[widthPt, heightPt], ...], "pages": ["text of page 1", ...] }],
//         one entry per PDF, the text as MuPDF's structured text (lines joined with "\n").
import { readFileSync } from 'node:fs';
import * as mupdf from 'mupdf';

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const base64 of input.pdfs) {
  const document = mupdf.Document.openDocument(Buffer.from(base64, 'base64'), 'application/pdf');
  const result = { pageCount: document.countPages(), pageSizes: [], pages: [] };
  for (let i = 0; i < result.pageCount; i++) {
    const page = document.loadPage(i);
    const [x0, y0, x1, y1] = page.getBounds();
    result.pageSizes.push([x1 - x0, y1 - y0]);
    const text = page.toStructuredText();
    result.pages.push(text.asText());
    text.destroy();
    page.destroy();
  }
  document.destroy();
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
