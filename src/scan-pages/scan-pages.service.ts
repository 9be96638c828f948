import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { format } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import Mustache from 'mustache';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { GHS_PICTOGRAM_NAMES, GhsCode, isGhsCode } from '../labels/ghs-pictograms';
import { Label } from '../labels/label.entity';
import { LabelsService } from '../labels/labels.service';
import { LocationsService } from '../locations/locations.service';
import { RECEIPT_CONDITIONS, PROCESS_OUTCOMES } from '../samples/dto/sample.dto';
import { allowedSampleActions, DISPOSAL_REASONS, SampleAction, SampleState } from '../samples/sample-lifecycle';

const TEMPLATES = join(__dirname, '..', '..', 'templates', 'scan');
const template = (name: string) => readFileSync(join(TEMPLATES, `${name}.html`), 'utf8');

type Field =
  | { select: true; name: string; label: string; required?: boolean; options: { value: string; text: string }[] }
  | { text: true; name: string; label: string; required?: boolean; placeholder?: string }
  | { number: true; name: string; label: string; value: number }
  | { checkbox: true; name: string; label: string };

export interface PageContext {
  actor: Actor | null;
  userName: string | null;
  csrf: string;
  notice?: { kind: 'ok' | 'error'; text: string };
}

export interface RenderedPage {
  status: number;
  html: string;
}

/** A GHS pictogram for the page: the red diamond with its code (the label PDFs draw the symbols). */
function hazardSvg(code: GhsCode): string {
  return (
    `<svg width="56" height="56" viewBox="0 0 100 100" role="img" aria-label="${GHS_PICTOGRAM_NAMES[code]}">` +
    `<polygon points="50,3 97,50 50,97 3,50" fill="#fff" stroke="#e30613" stroke-width="7"/>` +
    `<text x="50" y="57" font-size="17" text-anchor="middle" font-family="sans-serif" font-weight="700">${code}</text></svg>`
  );
}

/**
 * The pages a QR label leads to. Who sees what: center staff see the sample or location and
 * the actions allowed now; a member of the owner organization sees the sample read-only;
 * anyone else (signed out, or of another organization) sees the sign-in form, the center's
 * contact and the hazard pictograms — never the name, owner or history.
 */
@Injectable()
export class ScanPagesService {
  private readonly templates = {
    layout: template('layout'),
    public: template('public'),
    sample: template('sample'),
    location: template('location'),
    message: template('message'),
  };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly labels: LabelsService,
    private readonly locations: LocationsService,
  ) {}

  async render(input: string, ctx: PageContext): Promise<RenderedPage> {
    let label: Label;
    try {
      label = await this.labels.resolve(input, 'label');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const heading = error.status === 410 ? 'This label was replaced' : error.status === 404 ? 'Unknown label' : 'Not a label';
      const text =
        error.status === 410
          ? 'The label has been voided. Use the new label on the sample or place.'
          : error.status === 404
            ? 'No sample or place carries this label.'
            : 'The scanned code is not a Foundry Hub label (a mistyped character?).';
      return this.page(error.status, heading, this.templates.message, { heading, text }, ctx, input);
    }
    const center = await this.center(label.centerId);
    const publicPage = (hazards: string[]) => this.page(200, center.name, this.templates.public, this.publicView(center, hazards, label.id, ctx), ctx, label.id);
    const staff = ctx.actor !== null && canManageCenter(ctx.actor, label.centerId);

    if (label.locationId) return staff ? this.locationPage(label, ctx) : publicPage([]);
    if (!label.sampleId) {
      if (!staff) return publicPage([]);
      return this.page(200, 'Label not bound', this.templates.message, { heading: 'Label not bound yet', text: `Label ${label.id} is from a pre-printed roll. Bind it to a sample in the app (scan with action “assign”).` }, ctx, label.id);
    }
    const sample = await this.sampleRow(label.sampleId);
    const owner = ctx.actor?.role === 'member' && ctx.actor.organizationId === sample.organization_id;
    if (!staff && !owner) return publicPage(sample.hazards);
    return this.samplePage(label, sample, center.timezone, staff, ctx);
  }

  private async samplePage(label: Label, sample: SampleRow, timezone: string, staff: boolean, ctx: PageContext): Promise<RenderedPage> {
    const local = (date: Date) => format(new TZDate(date.getTime(), timezone), 'yyyy-MM-dd HH:mm');
    const events = (await this.dataSource.query(
      `SELECT e.seq, e.type, e.occurred_at, e.reason, e.to_state, u.display_name AS who, l.name AS location
         FROM sample_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN locations l ON l.id = e.location_id
        WHERE e.sample_id = $1 ORDER BY e.seq DESC LIMIT 20`,
      [sample.id],
    )) as { seq: number; type: string; occurred_at: Date; reason: string | null; to_state: string | null; who: string | null; location: string | null }[];
    const actions = staff ? await this.actionForms(label, sample, ctx) : [];
    const view = {
      labelId: label.id,
      code: sample.code,
      name: sample.name,
      state: sample.state,
      owner: sample.owner,
      material: sample.material ?? '—',
      form: sample.form,
      quantity: sample.quantity === null ? null : `${Number(sample.quantity)} ${sample.unit ?? ''}`.trim(),
      location: sample.location_id ? (await this.locations.pathOf(this.dataSource.manager, sample.location_id)).map((p) => p.name).join(' › ') : '—',
      holder: sample.holder,
      ...this.hazardView(sample.hazards),
      staff,
      actions,
      events: events.map((e) => ({
        seq: e.seq,
        when: local(e.occurred_at),
        type: e.type.replace(/_/g, ' '),
        detail: [e.location, e.reason].filter(Boolean).join(' · ') || null,
        who: e.who ?? 'system',
      })),
    };
    return this.page(200, sample.code, this.templates.sample, view, ctx, label.id);
  }

  private async locationPage(label: Label, ctx: PageContext): Promise<RenderedPage> {
    const location = await this.locations.get(ctx.actor!, label.locationId!);
    const samples = (await this.dataSource.query(
      `SELECT s.code, s.name, s.state, l.id AS label_id FROM samples s LEFT JOIN labels l ON l.sample_id = s.id AND l.status = 'active'
        WHERE s.location_id = $1 ORDER BY s.code LIMIT 200`,
      [location.id],
    )) as { code: string; name: string; state: string; label_id: string | null }[];
    const view = {
      labelId: label.id,
      name: location.name,
      kind: location.kind,
      path: location.path.map((p) => p.name).join(' › '),
      occupancy: location.occupancy,
      capacity: location.capacity,
      samples: samples.map((s) => ({ ...s, href: s.label_id ? `/S/${s.label_id}` : null })),
    };
    return this.page(200, location.name, this.templates.location, view, ctx, label.id);
  }

  private async actionForms(label: Label, sample: SampleRow, ctx: PageContext) {
    const allowed = allowedSampleActions(sample.state);
    const needsTools = allowed.includes('check-out') || allowed.includes('process-step');
    const tools = needsTools
      ? ((await this.dataSource.query(`SELECT id, code, name_en FROM equipment WHERE center_id = $1 AND status <> 'retired' ORDER BY code LIMIT 500`, [sample.center_id])) as {
          id: string;
          code: string;
          name_en: string;
        }[])
      : [];
    const toolOptions = tools.map((t) => ({ value: t.id, text: `${t.code} ${t.name_en}` }));
    // The actions a page offers, each with its title and form fields; the others need the app.
    const forms: Partial<Record<SampleAction, { title: string; fields: Field[] }>> = {
      receive: {
        title: 'Receive',
        fields: [
          { select: true, name: 'condition', label: 'Condition', required: true, options: RECEIPT_CONDITIONS.map((c) => ({ value: c, text: c.replace(/_/g, ' ') })) },
          { text: true, name: 'locationLabel', label: 'Store at (location label, optional)' },
        ],
      },
      store: { title: 'Store / move here', fields: [{ text: true, name: 'locationLabel', label: 'Location label', required: true, placeholder: 'scan or type the label ID' }] },
      'check-out': { title: 'Check out', fields: [{ select: true, name: 'equipmentId', label: 'To tool', options: [{ value: '', text: '—' }, ...toolOptions] }] },
      'check-in': { title: 'Check in', fields: [{ text: true, name: 'locationLabel', label: 'Back to (location label, optional)' }] },
      'process-step': {
        title: 'Record a process step',
        fields: [
          { select: true, name: 'equipmentId', label: 'Tool', required: true, options: toolOptions },
          { text: true, name: 'recipe', label: 'Recipe', required: true },
          { number: true, name: 'minutes', label: 'Duration (minutes, ending now)', value: 60 },
          { select: true, name: 'outcome', label: 'Outcome', required: true, options: PROCESS_OUTCOMES.map((o) => ({ value: o, text: o })) },
        ],
      },
      hold: { title: 'Place on hold', fields: [{ text: true, name: 'reason', label: 'Reason', required: true }] },
      release: { title: 'Release hold', fields: [] },
      ship: {
        title: 'Ship',
        fields: [
          { text: true, name: 'carrier', label: 'Carrier' },
          { text: true, name: 'trackingNumber', label: 'Tracking number' },
          { checkbox: true, name: 'includeDescendants', label: 'Ship the pieces cut from it along' },
        ],
      },
      dispose: {
        title: 'Dispose',
        fields: [
          { select: true, name: 'reasonCode', label: 'Reason', required: true, options: DISPOSAL_REASONS.map((r) => ({ value: r, text: r.replace(/_/g, ' ') })) },
          { text: true, name: 'wasteStream', label: sample.hazards.length ? 'Waste stream (required: hazardous)' : 'Waste stream', required: sample.hazards.length > 0 },
          { text: true, name: 'comment', label: 'Comment' },
        ],
      },
    };
    return allowed.flatMap((action) => {
      const form = forms[action];
      return form ? [{ name: action, title: form.title, formAction: `/S/${label.id}/actions/${action}`, csrf: ctx.csrf, fields: form.fields }] : [];
    });
  }

  private publicView(center: CenterRow, hazards: string[], labelId: string, ctx: PageContext) {
    return {
      centerName: center.name,
      contactEmail: center.contact_email,
      address: center.address,
      ...this.hazardView(hazards),
      loginAction: `/S/${labelId}/login`,
      csrf: ctx.csrf,
    };
  }

  private hazardView(codes: string[]) {
    const hazards = codes.filter(isGhsCode).map((code) => ({ code, name: GHS_PICTOGRAM_NAMES[code], svg: hazardSvg(code) }));
    return { hasHazards: hazards.length > 0, hazards };
  }

  private page(status: number, title: string, body: string, view: object, ctx: PageContext, labelId: string): RenderedPage {
    const inner = Mustache.render(body, view);
    const html = Mustache.render(this.templates.layout, {
      lang: 'en',
      title,
      body: inner,
      notice: ctx.notice ?? null,
      signedIn: ctx.actor !== null,
      userName: ctx.userName,
      csrf: ctx.csrf,
      logoutAction: `/S/${encodeURIComponent(labelId)}/logout`,
    });
    return { status, html };
  }

  private async center(id: string): Promise<CenterRow> {
    const [row] = (await this.dataSource.query(`SELECT name_en || ' / ' || name_ja AS name, contact_email, address, timezone FROM centers WHERE id = $1`, [id])) as CenterRow[];
    return row;
  }

  private async sampleRow(id: string): Promise<SampleRow> {
    const [row] = (await this.dataSource.query(
      `SELECT s.*, o.name AS owner, u.display_name AS holder FROM samples s JOIN organizations o ON o.id = s.organization_id LEFT JOIN users u ON u.id = s.holder_id WHERE s.id = $1`,
      [id],
    )) as SampleRow[];
    return row;
  }
}

interface CenterRow {
  name: string;
  contact_email: string | null;
  address: string | null;
  timezone: string;
}

interface SampleRow {
  id: string;
  code: string;
  name: string;
  state: SampleState;
  form: string;
  material: string | null;
  quantity: string | null;
  unit: string | null;
  hazards: string[];
  organization_id: string;
  center_id: string;
  location_id: string | null;
  owner: string;
  holder: string | null;
}
