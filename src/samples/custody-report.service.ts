import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Actor } from '../common/auth/actor';
import { streamOf } from '../common/streams';
import { LocationsService } from '../locations/locations.service';
import { CustodyReport, CustodyReportEvent, renderCustodyReport } from './custody-report';
import { describeDescriptor } from './sample-actions.service';
import { SampleEvent } from './sample-event.entity';
import { SampleEventsService } from './sample-events.service';
import { SamplesService } from './samples.service';

/** One line saying what an event did, from its payload (the report's "summary" column). */
export function summarizeEvent(event: Pick<SampleEvent, 'type' | 'payload'>): string {
  // Payloads differ by type; each case reads the fields its action writes.
  const p = event.payload as Record<string, any>;
  switch (event.type) {
    case 'registered':
      if (p.splitFrom) return `cut from ${p.splitFrom.code} (${describeDescriptor(p.descriptor ?? {})})`;
      if (p.combinedFrom) return `pooled from ${p.combinedFrom.map((s: { code: string }) => s.code).join(', ')}`;
      return `registered as ${p.code}`;
    case 'received':
    case 'return_received':
      return [p.condition && `condition: ${p.condition}`, ...(p.deviations ?? [])].filter(Boolean).join('; ');
    case 'location_changed':
      return `stored in ${p.toLocationName ?? 'a location'}`;
    case 'custody_changed':
      return p.holderId ? 'checked out' : 'checked in';
    case 'process_step':
      return `${p.recipe}${p.recipeVersion ? ` v${p.recipeVersion}` : ''}: ${p.outcome}`;
    case 'measured':
      return `${p.method}: ${(p.results ?? []).map((r: { quantity: string; value: number; unit: string }) => `${r.quantity} ${r.value} ${r.unit}`).join(', ')}`;
    case 'split':
      return `${p.children?.length ?? 0} pieces: ${(p.children ?? []).map((c: { code: string }) => c.code).join(', ')}${p.consumed ? ' (used up)' : ''}`;
    case 'combined':
      return `pooled into ${p.into?.code ?? 'a new sample'}`;
    case 'shipped':
      return [p.carrier, p.trackingNumber, p.destination].filter(Boolean).join(' · ') || 'shipped';
    case 'disposed':
      return `${p.reasonCode}${p.wasteStream ? `; waste stream: ${p.wasteStream}` : ''}`;
    case 'corrected':
      return `corrects #${p.targetSeq}: ${p.field} ${JSON.stringify(p.oldValue)} → ${JSON.stringify(p.newValue)}`;
    case 'label_printed':
      return `label ${p.labelId}${p.replaces ? ` replaces ${p.replaces}` : ''}`;
    default:
      return p.comment ?? '';
  }
}

/**
 * The chain-of-custody report of a sample as a PDF: the sample, every event of its record
 * (with the ancestors' events before the split that made it), who, when, where, and the
 * verified hash of the chain head, with a sign-off block.
 */
@Injectable()
export class CustodyReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly samples: SamplesService,
    private readonly events: SampleEventsService,
    private readonly locations: LocationsService,
  ) {}

  async pdf(actor: Actor, id: string): Promise<Readable> {
    const report = await this.build(actor, id);
    return streamOf((out) => renderCustodyReport(report, out));
  }

  async build(actor: Actor, id: string): Promise<CustodyReport> {
    const sample = await this.samples.get(actor, id);
    const [context] = (await this.dataSource.query(
      `SELECT o.name AS owner, p.code AS project, c.code AS center_code, c.name_en AS center_name, c.timezone
         FROM samples s JOIN organizations o ON o.id = s.organization_id JOIN projects p ON p.id = s.project_id JOIN centers c ON c.id = s.center_id
        WHERE s.id = $1`,
      [id],
    )) as { owner: string; project: string; center_code: string; center_name: string; timezone: string }[];
    const [history, verdict, path] = await Promise.all([
      this.events.history(id, true),
      this.events.verify(id),
      sample.locationId ? this.locations.pathOf(this.dataSource.manager, sample.locationId) : Promise.resolve([]),
    ]);
    const names = await this.lookups(history);
    const own = history.filter((event) => !event.inherited);
    const firstBroken = verdict.firstBroken ? { seq: verdict.firstBroken.seq, reason: verdict.firstBroken.reason } : undefined;
    const generatedBy = actor.userId ? (names.users.get(actor.userId) ?? (await this.dataSource.query('SELECT display_name FROM users WHERE id = $1', [actor.userId]))[0]?.display_name) : null;
    return {
      sample: {
        id: sample.id,
        code: sample.code,
        name: sample.name,
        material: sample.material,
        form: sample.form,
        quantity: sample.quantity,
        unit: sample.unit,
        hazards: sample.hazards,
        state: sample.state,
        ownerName: context.owner,
        projectCode: context.project,
        centerCode: context.center_code,
        centerName: context.center_name,
        timezone: context.timezone,
        labelId: sample.labelId,
        registeredAt: sample.registeredAt,
        locationPath: path.length ? path.map((p) => p.name).join(' › ') : null,
      },
      events: history.map(
        (event): CustodyReportEvent => ({
          seq: event.seq,
          sampleCode: names.samples.get(event.sampleId) ?? sample.code,
          inherited: event.inherited,
          type: event.type,
          occurredAt: event.occurredAt,
          recordedAt: event.recordedAt,
          actorName: event.actorId ? (names.users.get(event.actorId) ?? null) : null,
          actorRole: event.actorRole,
          onBehalfOfName: event.onBehalfOf ? (names.users.get(event.onBehalfOf) ?? null) : null,
          source: event.source,
          scannedLabel: event.scannedLabel,
          reason: event.reason,
          fromState: event.fromState,
          toState: event.toState,
          locationName: event.locationId ? (names.locations.get(event.locationId) ?? null) : null,
          equipmentCode: event.equipmentId ? (names.equipment.get(event.equipmentId) ?? null) : null,
          summary: summarizeEvent(event),
          hash: event.hash,
          prevHash: event.prevHash,
        }),
      ),
      chain: { ok: verdict.ok, checked: verdict.checked, headHash: own.length ? own[own.length - 1].hash : null, firstBroken },
      generatedAt: new Date(),
      generatedBy: generatedBy ?? actor.kind,
    };
  }

  /** Names of the people, places, tools and samples the events refer to, in four queries. */
  private async lookups(events: SampleEvent[]) {
    const ids = (pick: (e: SampleEvent) => (string | null)[]) => [...new Set(events.flatMap(pick).filter((v): v is string => !!v))];
    const [users, locations, equipment, samples] = await Promise.all([
      this.dataSource.query('SELECT id, display_name AS name FROM users WHERE id = ANY($1)', [ids((e) => [e.actorId, e.onBehalfOf])]),
      this.dataSource.query('SELECT id, name FROM locations WHERE id = ANY($1)', [ids((e) => [e.locationId])]),
      this.dataSource.query('SELECT id, code AS name FROM equipment WHERE id = ANY($1)', [ids((e) => [e.equipmentId])]),
      this.dataSource.query('SELECT id, code AS name FROM samples WHERE id = ANY($1)', [ids((e) => [e.sampleId])]),
    ]);
    const map = (rows: { id: string; name: string }[]) => new Map(rows.map((row) => [row.id, row.name]));
    return { users: map(users), locations: map(locations), equipment: map(equipment), samples: map(samples) };
  }
}
