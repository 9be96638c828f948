/**
 * Test fixtures for the label specs: a realistic label and an in-memory sink. Not used by the
 * application.
 */
import { Writable } from 'node:stream';
import { generateLabelId, labelUrl } from '../label-id';
import type { LabelContent } from '../label-render';

/** Long enough to be realistic: the URL is 52 characters, QR version 3 at M and 4 at Q. */
export const PUBLIC_URL = 'https://hub.kanagawa-foundry.example.jp';

export function sampleLabel(overrides: Partial<LabelContent> = {}): LabelContent {
  const labelId = overrides.labelId ?? generateLabelId();
  return {
    labelId,
    url: labelUrl(PUBLIC_URL, labelId),
    title: 'KNS-26-000123',
    lines: ['窒化ガリウム基板 エピウェハ', '山田 太郎 (Tsukuba Photonics)', '2026-03-14'],
    hazards: ['GHS02', 'GHS07'],
    ...overrides,
  };
}

/** A sink that keeps what it is given; `onWrite` may fail the n-th write. */
export class Collector extends Writable {
  chunks: Buffer[] = [];

  constructor(private readonly onWrite?: (count: number) => Error | undefined) {
    super();
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    callback(this.onWrite?.(this.chunks.length));
  }

  get bytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }
}
