import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateLabelId, labelUrl } from './label-id';
import { LabelMediaName } from './label-media';
import { QrErrorCorrection, renderLabelsPdf } from './label-render';
import { Collector, PUBLIC_URL, sampleLabel } from './testing/label-fixtures';
import { openPdfs } from './testing/pdf-raster';

/** How renderLabelsPdf streams: pages out as labels come in, backpressure, paging, failures. */
describe('renderLabelsPdf streaming', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'foundry-label-stream-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams 1,000 labels: pages go out while the source is still being read, and all 1,000 arrive', async () => {
    // In memory, not to a file: the test measures the renderer, not the disk.
    const out = new Collector();
    let receivedAtHalf = -1;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        if (i === 500) receivedAtHalf = out.bytes;
        yield sampleLabel({ title: `KNS-26-${String(i).padStart(6, '0')}`, hazards: ['GHS02', 'GHS05', 'GHS07', 'GHS08'].slice(0, i % 5) });
      }
    }
    await renderLabelsPdf(source(), 'brother-62x29', out);
    expect(out.writableFinished).toBe(true);
    expect(receivedAtHalf).toBeGreaterThan(out.bytes * 0.3);
    const file = join(dir, 'thousand.pdf');
    await writeFile(file, Buffer.concat(out.chunks));
    const [result] = await openPdfs([{ pdf: file, page: 999, text: true }]);
    expect(result.pageCount).toBe(1000);
    expect(result.text).toContain('KNS-26-000999');
  });
  it('puts 24 labels on an A4 sheet and continues on a new page', async () => {
    const file = join(dir, 'sheet.pdf');
    const batch = Array.from({ length: 25 }, (_, i) => sampleLabel({ title: `KNS-26-${String(i + 1).padStart(6, '0')}` }));
    await renderLabelsPdf(batch, 'a4-sheet', createWriteStream(file));
    const [first, second] = await openPdfs([{ pdf: file, page: 0, text: true }, { pdf: file, page: 1, text: true }]);
    expect(first.pageCount).toBe(2);
    expect(first.text).toContain('KNS-26-000024');
    expect(first.text).not.toContain('KNS-26-000025');
    expect(second.text).toContain('KNS-26-000025');
  });
  it('waits for a slow destination instead of buffering the whole PDF', async () => {
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    let pulled = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, callback) {
        void opened.then(() => callback());
      },
    });
    async function* source() {
      for (let i = 0; i < 120; i++) {
        pulled++;
        yield sampleLabel();
      }
    }
    const rendering = renderLabelsPdf(source(), 'brother-62x29', slow);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pulled).toBeLessThan(20);
    release();
    await rendering;
    expect(pulled).toBe(120);
  });

  it('writes nothing for an empty batch or an invalid first label', async () => {
    const empty = new Collector();
    await expect(renderLabelsPdf([], 'brother-62x29', empty)).rejects.toThrow(RangeError);
    const invalid = new Collector();
    const other = generateLabelId();
    await expect(renderLabelsPdf([sampleLabel({ url: labelUrl(PUBLIC_URL, other) })], 'brother-62x29', invalid)).rejects.toThrow(/not the upper-case label URL/);
    for (const sink of [empty, invalid]) {
      expect(sink.bytes).toBe(0);
      expect(sink.destroyed).toBe(false);
    }
  });

  it('refuses unknown hazards, lower-case URLs, unknown media and error correction levels', async () => {
    await expect(renderLabelsPdf([sampleLabel({ hazards: ['GHS10'] })], 'brother-62x29', new Collector())).rejects.toThrow(/GHS10/);
    const label = sampleLabel();
    await expect(renderLabelsPdf([{ ...label, url: label.url.toLowerCase() }], 'brother-62x29', new Collector())).rejects.toThrow(TypeError);
    await expect(renderLabelsPdf([label], 'dymo-99012' as LabelMediaName, new Collector())).rejects.toThrow(/unknown label medium/);
    await expect(renderLabelsPdf([label], 'zebra-50x25', new Collector(), { errorCorrection: 'H' as QrErrorCorrection })).rejects.toThrow(/error correction/);
  });

  it('destroys the destination when a later label is invalid, so half a PDF is never taken for a whole one', async () => {
    const sink = new Collector();
    const batch = [sampleLabel(), sampleLabel(), { ...sampleLabel(), labelId: 'NOT-AN-ID' }];
    await expect(renderLabelsPdf(batch, 'brother-62x29', sink)).rejects.toThrow(/not a valid label ID/);
    expect(sink.destroyed).toBe(true);
  });

  it('stops reading the source when the destination fails', async () => {
    const sink = new Collector((count) => (count === 3 ? new Error('client went away') : undefined));
    let pulled = 0;
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; i < 500; i++) {
          pulled++;
          yield sampleLabel();
        }
      } finally {
        closed = true;
      }
    }
    await expect(renderLabelsPdf(source(), 'brother-62x29', sink)).rejects.toThrow('client went away');
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(500);
  });
});
