// Test helper: opens PDFs with MuPDF (the `mupdf` package, WebAssembly) and rasterises pages.
//
// mupdf is ESM-only and initialises with top-level await, which Jest's CommonJS module system
// cannot load in-process, so the label tests run this script as a child `node` process.
//
// stdin:  JSON { "jobs": [{ "pdf": "<path>", "dpi": 300, "page": 0, "rgba": "<path>", "text": true }] }
//         All but `pdf` are optional: without `rgba` no page is rasterised, without `text`
//         no text is extracted.
// stdout: JSON [{ "pageCount": n, "pageSize": [widthPt, heightPt] (of `page`),
//                 "raster": { "width": w, "height": h }, "text": "..." }], one entry per job;
//         the raster is written to `rgba` as raw 8-bit RGBA, row by row, on opaque white.
import { readFileSync, writeFileSync } from 'node:fs';
import * as mupdf from 'mupdf';

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const job of input.jobs) {
  const document = mupdf.Document.openDocument(readFileSync(job.pdf), 'application/pdf');
  const pageIndex = job.page ?? 0;
  const result = { pageCount: document.countPages() };
  const page = document.loadPage(pageIndex);
  const [x0, y0, x1, y1] = page.getBounds();
  result.pageSize = [x1 - x0, y1 - y0];
  if (job.text) result.text = page.toStructuredText().asText();
  if (job.rgba) {
    const scale = (job.dpi ?? 72) / 72;
    // No alpha channel: MuPDF then renders onto white, as paper is.
    const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false);
    const width = pixmap.getWidth();
    const height = pixmap.getHeight();
    const stride = pixmap.getStride();
    const rgb = pixmap.getPixels();
    const rgba = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const from = y * stride + x * 3;
        const to = (y * width + x) * 4;
        rgba[to] = rgb[from];
        rgba[to + 1] = rgb[from + 1];
        rgba[to + 2] = rgb[from + 2];
        rgba[to + 3] = 255;
      }
    }
    writeFileSync(job.rgba, rgba);
    result.raster = { width, height };
    pixmap.destroy();
  }
  page.destroy();
  document.destroy();
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
