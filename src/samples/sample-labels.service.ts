import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { format } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import QRCode from 'qrcode';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Actor } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { streamOf } from '../common/streams';
import { LabelsService } from '../labels/labels.service';
import { LabelMediaName } from '../labels/label-media';
import { LabelContent, QrErrorCorrection, renderLabelsPdf, renderLabelZpl } from '../labels/label-render';

/** Most labels in one printed sheet request. */
export const MAX_LABELS_PER_PDF = 10_000;
/** Labels read from the database at a time while a sheet streams out. */
const LABEL_BATCH = 500;

interface LabelRow {
  id: string;
  code: string;
  name: string;
  hazards: string[];
  registered_at: Date;
  owner: string;
  timezone: string;
  label_id: string | null;
}

/**
 * Printable labels: the QR code as SVG, PDFs sized to label media (one label or a whole sheet,
 * streamed), and ZPL for Zebra printers. What is printed next to the code: the sample code,
 * its name, the owner and the registration date in the center's zone, and GHS pictograms.
 */
@Injectable()
export class SampleLabelsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly labels: LabelsService,
  ) {}

  async qrSvg(actor: Actor, id: string): Promise<string> {
    const [label] = await this.contents(actor, [id]);
    return QRCode.toString([{ data: label.url, mode: 'alphanumeric' }], { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  }

  async zpl(actor: Actor, id: string, dpi: 203 | 300, errorCorrection: QrErrorCorrection): Promise<string> {
    const [label] = await this.contents(actor, [id]);
    return renderLabelZpl(label, { dpi, errorCorrection });
  }

  /**
   * A PDF of the samples' labels, streamed: rows are read in batches while pages go out, so
   * memory stays flat for thousands of labels. Every id is checked (and must be visible)
   * before the first byte is sent.
   */
  async pdf(actor: Actor, ids: string[], media: LabelMediaName, errorCorrection: QrErrorCorrection, single = false): Promise<Readable> {
    // The DTO has checked the ids (UUIDs, 1 to MAX_LABELS_PER_PDF of them).
    const [{ n, unlabelled }] = (await this.dataSource.query(
      `SELECT count(*)::int AS n, min(s.code) FILTER (WHERE l.id IS NULL) AS unlabelled
         FROM samples s LEFT JOIN labels l ON l.sample_id = s.id AND l.status = 'active'
        WHERE s.id = ANY($1) AND ($2::uuid IS NULL OR s.organization_id = $2)`,
      [ids, actor.role === 'member' ? actor.organizationId : null],
    )) as { n: number; unlabelled: string | null }[];
    if (n !== new Set(ids).size) {
      // `GET /samples/:id/label.pdf` addresses the sample: absent or another organization's, it is a 404. A sheet names its ids in a field.
      throw single ? AppError.notFound('sample', ids[0]) : AppError.badInput('ids', 'names a sample that does not exist');
    }
    if (unlabelled) throw this.noActiveLabel(unlabelled);
    return streamOf((out) => renderLabelsPdf(this.stream(actor, ids), media, out, { errorCorrection }));
  }

  /** Label contents in the order of `ids`, a batch at a time. */
  private async *stream(actor: Actor, ids: string[]): AsyncIterable<LabelContent> {
    for (let i = 0; i < ids.length; i += LABEL_BATCH) yield* await this.contents(actor, ids.slice(i, i + LABEL_BATCH));
  }

  /** What goes on the labels of these samples; an unknown or invisible one is a 404. */
  private async contents(actor: Actor, ids: string[]): Promise<LabelContent[]> {
    const rows = (await this.dataSource.query(
      `SELECT s.id, s.code, s.name, s.hazards, s.registered_at, o.name AS owner, c.timezone, l.id AS label_id
         FROM samples s
         JOIN organizations o ON o.id = s.organization_id
         JOIN centers c ON c.id = s.center_id
         LEFT JOIN labels l ON l.sample_id = s.id AND l.status = 'active'
        WHERE s.id = ANY($1) AND ($2::uuid IS NULL OR s.organization_id = $2)`,
      [ids, actor.role === 'member' ? actor.organizationId : null],
    )) as LabelRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) throw AppError.notFound('sample', id);
      if (!row.label_id) throw this.noActiveLabel(row.code);
      return {
        labelId: row.label_id,
        url: this.labels.urlOf(row.label_id),
        title: row.code,
        lines: [row.name, row.owner, format(new TZDate(row.registered_at.getTime(), row.timezone), 'yyyy-MM-dd')],
        hazards: row.hazards,
      };
    });
  }

  private noActiveLabel(code: string): AppError {
    return new AppError('invalid-transition', `${code} has no active label; assign one first`, [{ field: 'labelId', message: 'none is active' }]);
  }
}
