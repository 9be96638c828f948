/**
 * Test support: MuPDF (WebAssembly, ESM-only with top-level await) cannot be loaded by Jest's
 * CommonJS module system, so PDFs are opened in a child `node` process running
 * rasterize-pdf.mjs, in one batch per test file (starting MuPDF once costs ~0.3 s).
 * Not used by the application.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runJsonScript } from '../../common/testing/json-child-process';

export interface RasterJob {
  pdf: string;
  /** Rasterise page `page` (default 0) at `dpi` into this raw RGBA file. */
  rgba?: string;
  dpi?: number;
  page?: number;
  /** Also extract the page's text. */
  text?: boolean;
}

export interface RasterResult {
  pageCount: number;
  /** [width, height] of the page in points. */
  pageSize: [number, number];
  raster?: { width: number; height: number };
  text?: string;
}

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

const SCRIPT = join(__dirname, 'rasterize-pdf.mjs');

export function openPdfs(jobs: RasterJob[]): Promise<RasterResult[]> {
  return runJsonScript<RasterResult[]>(SCRIPT, { jobs });
}

export async function readRgba(file: string, size: { width: number; height: number }): Promise<Rgba> {
  const bytes = await readFile(file);
  if (bytes.length !== size.width * size.height * 4) throw new Error(`${file}: ${bytes.length} bytes is not ${size.width} × ${size.height} RGBA`);
  return { ...size, data: new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** The rectangle [x, x + width) × [y, y + height) of `image`, clipped to it. */
export function crop(image: Rgba, x: number, y: number, width: number, height: number): Rgba {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(image.width, Math.ceil(x + width));
  const y1 = Math.min(image.height, Math.ceil(y + height));
  const data = new Uint8ClampedArray((x1 - x0) * (y1 - y0) * 4);
  for (let row = y0; row < y1; row++) {
    data.set(image.data.subarray((row * image.width + x0) * 4, (row * image.width + x1) * 4), (row - y0) * (x1 - x0) * 4);
  }
  return { width: x1 - x0, height: y1 - y0, data };
}

/** [r, g, b] of one pixel. */
export function pixel(image: Rgba, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * image.width + Math.round(x)) * 4;
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

export const isDark = ([r, g, b]: [number, number, number]) => r + g + b < 3 * 128;
