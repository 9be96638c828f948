import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { hydrate } from '../infra/database/hydrate';
import { retryOnDeadlock } from '../infra/database/transaction-retry';
import { EquipmentService } from '../equipment/equipment.service';
import { LabelsService } from '../labels/labels.service';
import { LocationsService } from '../locations/locations.service';
import { ReservationsService } from '../reservations/reservations.service';
import {
  CascadingActionDto,
  CheckInSampleDto,
  CheckOutSampleDto,
  CombineSamplesDto,
  CorrectEventDto,
  DisposeSampleDto,
  MeasureSampleDto,
  ProcessStepDto,
  ReceiveSampleDto,
  ReturnSampleDto,
  SampleActionDto,
  ShipSampleDto,
  SplitSampleDto,
  StoreSampleDto,
} from './dto/sample.dto';
import { EventSource } from './sample-event.entity';
import { ChainHead, NewSampleEvent, SampleEventsService, SampleRowChanges } from './sample-events.service';
import { allowedSampleActions, nextState, SAMPLE_TRANSITIONS, SampleAction, SampleState, SETTLED_STATES } from './sample-lifecycle';
import { Sample } from './sample.entity';
import { SamplesService, SampleView } from './samples.service';

/**
 * Where a locked row keeps the head of its custody chain. A symbol key: the head travels with the
 * row through the transaction but is never serialized, so no response shows the chain's hash.
 */
const CHAIN_HEAD = Symbol('chainHead');

/** A sample row locked for the rest of the transaction, with its chain head. */
type LockedSample = Sample & { [CHAIN_HEAD]: ChainHead };

/** How an action was recorded: through the API, a scan (with the label scanned), an instrument. */
export interface ActionContext {
  source: EventSource;
  scannedLabel?: string | null;
}

/** Clock skew tolerated between a handheld and the server for `occurredAt`. */
const FUTURE_TOLERANCE_MS = 2 * 60_000;

/**
 * Something that may refuse to let a sample leave (an open service request on it). Modules
 * that own such things register a guard; the sample module does not know them.
 */
export type ShipmentGuard = (em: EntityManager, sampleIds: string[]) => Promise<string | null>;

/**
 * The physical state machine. Every action locks the sample row, checks the transition
 * (a forbidden one is a 422 naming the current state and what is allowed), applies its
 * guards, changes the row and appends the custody event — all in one transaction.
 */
@Injectable()
export class SampleActionsService {
  private readonly shipmentGuards: ShipmentGuard[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly samples: SamplesService,
    private readonly events: SampleEventsService,
    private readonly locations: LocationsService,
    private readonly labels: LabelsService,
    private readonly equipment: EquipmentService,
    private readonly reservations: ReservationsService,
  ) {}

  registerShipmentGuard(guard: ShipmentGuard): void {
    this.shipmentGuards.push(guard);
  }

  receive(actor: Actor, id: string, dto: ReceiveSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'receive', dto, ctx, async (em, sample, base) => {
      await this.write(em, actor, sample, 'receive', base, { payload: { condition: dto.condition, deviations: dto.deviations ?? [], comment: dto.comment ?? null } });
      if (dto.locationId) await this.moveTo(em, actor, sample, dto.locationId, base);
    });
  }

  reject(actor: Actor, id: string, dto: CascadingActionDto, ctx: ActionContext): Promise<SampleView> {
    return this.cascading(actor, id, 'reject', dto, ctx);
  }

  hold(actor: Actor, id: string, dto: CascadingActionDto, ctx: ActionContext): Promise<SampleView> {
    return this.cascading(actor, id, 'hold', dto, ctx);
  }

  release(actor: Actor, id: string, dto: SampleActionDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'release', dto, ctx, (em, sample, base) => this.write(em, actor, sample, 'release', base, { changes: { heldFrom: null } }));
  }

  store(actor: Actor, id: string, dto: StoreSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'store', dto, ctx, (em, sample, base) => this.moveTo(em, actor, sample, dto.locationId, base));
  }

  checkOut(actor: Actor, id: string, dto: CheckOutSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(
      actor,
      id,
      'check-out',
      dto,
      ctx,
      async (em, sample, base) => {
        const holderId = dto.onBehalfOf ?? actor.userId;
        await this.write(em, actor, sample, 'check-out', base, {
          changes: { holderId },
          event: { equipmentId: dto.equipmentId ?? null, reservationId: dto.reservationId ?? null },
          payload: { holderId, from: 'storage', comment: dto.comment ?? null },
        });
      },
      async (sample) => {
        if (dto.equipmentId) await this.requireEquipment(actor, dto.equipmentId, 'equipmentId');
        if (dto.reservationId) await this.requireReservation(actor, sample, dto.reservationId, dto.equipmentId ?? null, null, null);
      },
    );
  }

  checkIn(actor: Actor, id: string, dto: CheckInSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'check-in', dto, ctx, async (em, sample, base) => {
      const destination = dto.locationId && dto.locationId !== sample.locationId ? dto.locationId : null;
      if (destination) await this.locations.lockForStorage(em, destination, sample.centerId, 'locationId', sample.locationId);
      await this.write(em, actor, sample, 'check-in', base, {
        changes: { holderId: null, ...(destination ? { locationId: destination } : {}) },
        event: { locationId: destination ?? sample.locationId },
        payload: { previousHolderId: sample.holderId, comment: dto.comment ?? null },
      });
    });
  }

  processStep(actor: Actor, id: string, dto: ProcessStepDto, ctx: ActionContext): Promise<SampleView> {
    const startedAt = new Date(dto.startedAt);
    const endedAt = new Date(dto.endedAt);
    if (endedAt <= startedAt) throw AppError.badInput('endedAt', 'must be later than startedAt');
    this.assertNotFuture(endedAt, 'endedAt');
    return this.act(
      actor,
      id,
      'process-step',
      { ...dto, occurredAt: dto.occurredAt ?? dto.startedAt },
      ctx,
      (em, sample, base) =>
        this.write(em, actor, sample, 'process-step', base, {
          event: { equipmentId: dto.equipmentId, reservationId: dto.reservationId ?? null, runId: dto.runId ?? null },
          payload: {
            recipe: dto.recipe,
            recipeVersion: dto.recipeVersion ?? null,
            setpoints: dto.setpoints ?? {},
            actuals: dto.actuals ?? {},
            operatorId: dto.operatorId ?? actor.userId,
            startedAt: startedAt.toISOString(),
            endedAt: endedAt.toISOString(),
            outcome: dto.outcome,
            comment: dto.comment ?? null,
          },
        }),
      async (sample) => {
        await this.requireEquipment(actor, dto.equipmentId, 'equipmentId');
        if (dto.reservationId) await this.requireReservation(actor, sample, dto.reservationId, dto.equipmentId, startedAt, endedAt);
      },
    );
  }

  measure(actor: Actor, id: string, dto: MeasureSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(
      actor,
      id,
      'measure',
      dto,
      ctx,
      (em, sample, base) =>
        this.write(em, actor, sample, 'measure', base, {
          event: { equipmentId: dto.equipmentId },
          payload: { method: dto.method, results: dto.results, datasets: dto.datasets ?? [], comment: dto.comment ?? null },
        }),
      () => this.requireEquipment(actor, dto.equipmentId, 'equipmentId'),
    );
  }

  /**
   * Sends a sample out (back to its owner, to a partner lab). Refused while something holds it
   * here (an open service request) and while a piece cut from it is still here unless that
   * piece goes along (`includeDescendants`).
   */
  ship(actor: Actor, id: string, dto: ShipSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'ship', dto, ctx, async (em, sample, base) => {
      const open = await this.descendants(em, sample.id, (state) => !SETTLED_STATES.includes(state));
      if (open.length && !dto.includeDescendants) {
        throw new AppError(
          'invalid-transition',
          `Pieces of ${sample.code} are still here: ${open.map((s) => s.code).join(', ')}. Ship them along (includeDescendants) or settle them first`,
          [{ field: 'includeDescendants', message: `${open.length} descendant(s) not shipped, consumed, disposed or cancelled` }],
          { descendants: open.map((s) => ({ id: s.id, code: s.code, state: s.state })) },
        );
      }
      const shipping = [sample, ...(await this.lockAll(em, open.map((s) => s.id)))];
      for (const guard of this.shipmentGuards) {
        const refusal = await guard(em, shipping.map((s) => s.id));
        if (refusal) throw new AppError('invalid-transition', refusal, [{ field: 'state', message: refusal }]);
      }
      const payload = { carrier: dto.carrier ?? null, trackingNumber: dto.trackingNumber ?? null, destination: dto.destination ?? null, comment: dto.comment ?? null };
      for (const piece of shipping) {
        if (piece !== sample) this.assertAllowed(piece, 'ship');
        await this.write(em, actor, piece, 'ship', base, {
          changes: { locationId: null, holderId: null },
          payload: piece === sample ? { ...payload, together: shipping.length - 1 } : { ...payload, shippedWith: sample.id },
        });
      }
    });
  }

  /** A shipped sample comes back: received again, with the condition it arrived in. */
  returnSample(actor: Actor, id: string, dto: ReturnSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'return', dto, ctx, (em, sample, base) =>
      this.write(em, actor, sample, 'return', base, { payload: { condition: dto.condition ?? null, comment: dto.comment ?? null } }),
    );
  }

  /** Disposal needs a reason code, a comment for `other` and a waste stream for hazardous samples. */
  dispose(actor: Actor, id: string, dto: DisposeSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'dispose', dto, ctx, async (em, sample, base) => {
      if (dto.reasonCode === 'other' && !dto.comment) throw AppError.badInput('comment', 'is required when the reason code is other');
      if (sample.hazards.length && !dto.wasteStream) {
        throw AppError.badInput('wasteStream', `is required: the sample is hazardous (${sample.hazards.join(', ')})`);
      }
      await this.write(em, actor, sample, 'dispose', base, {
        changes: { locationId: null, holderId: null },
        payload: { reasonCode: dto.reasonCode, wasteStream: dto.wasteStream ?? null, comment: dto.comment ?? null },
      });
    });
  }

  /** The owner withdraws an announced sample (or staff do); reinstating brings it back. */
  cancel(actor: Actor, id: string, dto: SampleActionDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'cancel', dto, ctx, (em, sample, base) => this.write(em, actor, sample, 'cancel', base, { payload: { comment: dto.comment ?? null } }));
  }

  reinstate(actor: Actor, id: string, dto: SampleActionDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'reinstate', dto, ctx, (em, sample, base) => this.write(em, actor, sample, 'reinstate', base, { payload: { comment: dto.comment ?? null } }));
  }

  /** A correction is a new event pointing at the one it corrects: history is never rewritten. */
  correct(actor: Actor, id: string, dto: CorrectEventDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'correct', dto, ctx, async (em, sample, base) => {
      const target = await this.events.findOfSample(em, sample.id, dto.targetEventId);
      if (!target) throw AppError.badInput('targetEventId', 'no such event of this sample');
      await this.write(em, actor, sample, 'correct', base, {
        payload: { targetEventId: target.id, targetSeq: target.seq, field: dto.field, oldValue: dto.oldValue ?? null, newValue: dto.newValue, comment: dto.comment ?? null },
      });
    });
  }

  /**
   * Cuts a sample into pieces (wafer → quarters → dies, to any depth). Each child gets a code,
   * a label and a `registered` event; the parent's `split` event lists them, and the lineage
   * keeps the descriptor (die x/y, piece #). The parent's history up to the split is the
   * children's too.
   */
  split(actor: Actor, id: string, dto: SplitSampleDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, 'split', dto, ctx, async (em, parent, base) => {
      const given = dto.children.filter((child) => child.quantity !== undefined);
      const taken = given.reduce((sum, child) => sum + child.quantity!, 0);
      if (parent.quantity !== null && given.length && taken > parent.quantity + 1e-9) {
        throw AppError.badInput('children', `the children's quantities (${taken}) exceed the parent's ${parent.quantity} ${parent.unit ?? ''}`.trim());
      }
      const remaining = parent.quantity === null || !given.length ? parent.quantity : Math.max(0, Math.round((parent.quantity - taken) * 1e4) / 1e4);
      const consumed = dto.consumeParent ?? remaining === 0;
      const codes = await this.samples.allocateCodes(em, dto.children.map(() => ({ centerId: parent.centerId })));
      const children: Sample[] = [];
      for (const [i, child] of dto.children.entries()) {
        children.push(
          await this.samples.insert(em, actor, codes[i], {
            centerId: parent.centerId,
            organizationId: parent.organizationId,
            projectId: parent.projectId,
            name: child.name ?? `${parent.name} ${describeDescriptor(child.descriptor)}`.slice(0, 200),
            material: parent.material,
            form: child.form ?? (parent.form === 'wafer' ? 'die' : parent.form),
            quantity: child.quantity ?? null,
            unit: child.quantity !== undefined ? parent.unit : null,
            hazards: parent.hazards,
            clientRef: parent.clientRef,
            retentionUntil: parent.retentionUntil,
            // In hand at the bench until someone stores them.
            state: 'received',
            holderId: actor.userId,
          }),
        );
      }
      const { event: splitEvent } = await this.write(em, actor, parent, 'split', base, {
        changes: { quantity: remaining, ...(consumed ? { state: 'consumed' as SampleState, locationId: null, holderId: null } : {}) },
        toState: consumed ? 'consumed' : parent.state,
        event: { relatedSampleIds: children.map((c) => c.id) },
        payload: {
          children: children.map((c, i) => ({ id: c.id, code: c.code, descriptor: dto.children[i].descriptor, quantity: dto.children[i].quantity ?? null })),
          quantityBefore: parent.quantity,
          quantityAfter: remaining,
          consumed,
          comment: dto.comment ?? null,
        },
      });
      await em.query(
        `INSERT INTO sample_lineage (parent_id, child_id, kind, descriptor, parent_event_seq)
         SELECT $1, child_id, 'split', descriptor, $2 FROM unnest($3::uuid[], $4::jsonb[]) AS t(child_id, descriptor)`,
        [parent.id, splitEvent.seq, children.map((c) => c.id), dto.children.map((c) => JSON.stringify(c.descriptor))],
      );
      await this.labels.issueAll(em, children.map((child) => ({ centerId: child.centerId, target: { sampleId: child.id } })));
      for (const [i, child] of children.entries()) {
        await this.events.append(em, actor, child, {
          ...base,
          type: 'registered',
          toState: 'received',
          relatedSampleIds: [parent.id],
          payload: { code: child.code, splitFrom: { id: parent.id, code: parent.code, eventSeq: splitEvent.seq }, descriptor: dto.children[i].descriptor },
        });
      }
    });
  }

  /**
   * Pools samples of one owner into a new one (powders, solutions). The inputs are consumed;
   * the output's lineage names them all.
   */
  async combine(actor: Actor, dto: CombineSamplesDto, ctx: ActionContext): Promise<SampleView> {
    const visible = await Promise.all(
      dto.sampleIds.map((id, i) =>
        this.samples.find(actor, id).catch(() => {
          throw AppError.badInput(`sampleIds[${i}]`, 'no such sample');
        }),
      ),
    );
    if (new Set(visible.map((s) => s.organizationId)).size > 1) throw AppError.badInput('sampleIds', 'samples of different owners cannot be combined');
    if (new Set(visible.map((s) => s.centerId)).size > 1) throw AppError.badInput('sampleIds', 'samples held by different centers cannot be combined');
    this.assertStaff(actor, visible[0], 'combine');
    const outputId = await retryOnDeadlock(() => this.dataSource.transaction(async (em) => {
      const inputs = await this.lockAll(em, dto.sampleIds);
      for (const input of inputs) this.assertAllowed(input, 'combine');
      const occurredAt = this.occurredAt(dto.occurredAt, inputs);
      const units = new Set(inputs.map((s) => s.unit));
      const quantity = units.size === 1 && inputs.every((s) => s.quantity !== null) ? inputs.reduce((sum, s) => sum + s.quantity!, 0) : null;
      const first = inputs[0];
      const [code] = await this.samples.allocateCodes(em, [{ centerId: first.centerId }]);
      const output = await this.samples.insert(em, actor, code, {
        centerId: first.centerId,
        organizationId: first.organizationId,
        projectId: first.projectId,
        name: dto.name,
        material: new Set(inputs.map((s) => s.material)).size === 1 ? first.material : null,
        form: dto.form ?? first.form,
        quantity,
        unit: quantity === null ? null : first.unit,
        hazards: [...new Set(inputs.flatMap((s) => s.hazards))].sort(),
        clientRef: null,
        retentionUntil: null,
        state: 'received',
        holderId: actor.userId,
      });
      const base = { occurredAt, source: ctx.source, scannedLabel: ctx.scannedLabel ?? null, reason: dto.reason ?? null, onBehalfOf: dto.onBehalfOf ?? null };
      const seqs: number[] = [];
      for (const input of inputs) {
        const { event } = await this.write(em, actor, input, 'combine', base, {
          changes: { locationId: null, holderId: null },
          event: { relatedSampleIds: [output.id] },
          payload: { into: { id: output.id, code: output.code }, comment: dto.comment ?? null },
        });
        seqs.push(event.seq);
      }
      await em.query(
        `INSERT INTO sample_lineage (parent_id, child_id, kind, parent_event_seq) SELECT parent_id, $1, 'combine', seq FROM unnest($2::uuid[], $3::int[]) AS t(parent_id, seq)`,
        [output.id, inputs.map((s) => s.id), seqs],
      );
      await this.labels.issue(em, output.centerId, { sampleId: output.id });
      await this.events.append(em, actor, output, {
        ...base,
        type: 'registered',
        toState: 'received',
        relatedSampleIds: inputs.map((s) => s.id),
        payload: { code: output.code, combinedFrom: inputs.map((s) => ({ id: s.id, code: s.code })) },
      });
      return output.id;
    }));
    return this.samples.get(actor, outputId);
  }

  /**
   * A damaged or lost label is voided and a new one bound; the sample keeps its code and
   * record. The `label_printed` event names both labels.
   */
  async relabel(actor: Actor, id: string, dto: SampleActionDto, ctx: ActionContext): Promise<SampleView> {
    const visible = await this.samples.find(actor, id);
    if (!canManageCenter(actor, visible.centerId)) throw AppError.forbidden(`Only staff of the center holding ${visible.code} may relabel it`);
    if (!dto.reason) throw AppError.badInput('reason', 'is required to replace a label');
    await this.dataSource.transaction(async (em) => {
      const [sample] = await this.lockAll(em, [id]);
      const { voided, issued } = await this.labels.replace(em, sample.centerId, sample.id, dto.reason!);
      await this.events.append(em, actor, sample[CHAIN_HEAD], {
        type: 'label_printed',
        occurredAt: this.occurredAt(dto.occurredAt, [sample]),
        source: ctx.source,
        scannedLabel: ctx.scannedLabel ?? null,
        reason: dto.reason,
        onBehalfOf: dto.onBehalfOf ?? null,
        fromState: sample.state,
        toState: sample.state,
        payload: { labelId: issued, replaces: voided, comment: dto.comment ?? null },
      });
    });
    return this.samples.get(actor, id);
  }

  // ------------------------------------------------------------------ the common path

  /**
   * Runs one action on one sample: visibility (404), role, reason and `check` (lookups through
   * other modules, which use their own pool connections: run before the transaction, so it never
   * holds one connection while waiting for another), then the transition (422), time checks and
   * `apply` inside the transaction that holds the sample lock.
   */
  private async act(
    actor: Actor,
    id: string,
    action: SampleAction,
    dto: SampleActionDto,
    ctx: ActionContext,
    apply: (em: EntityManager, sample: LockedSample, base: Omit<NewSampleEvent, 'type'>) => Promise<unknown>,
    check?: (sample: Sample) => Promise<void>,
  ): Promise<SampleView> {
    const visible = await this.samples.find(actor, id);
    this.assertStaff(actor, visible, action);
    if (SAMPLE_TRANSITIONS[action].needsReason && !dto.reason) throw AppError.badInput('reason', `is required to ${action} a sample`);
    await check?.(visible);
    let result: LockedSample | undefined;
    const run = async (em: EntityManager) => {
      const [sample] = await this.lockAll(em, [id]);
      result = sample;
      this.assertAllowed(sample, action);
      const base = {
        occurredAt: this.occurredAt(dto.occurredAt, [sample]),
        source: ctx.source,
        scannedLabel: ctx.scannedLabel ?? null,
        reason: dto.reason ?? null,
        onBehalfOf: dto.onBehalfOf ?? null,
      };
      await apply(em, sample, base);
    };
    await retryOnDeadlock(() => this.dataSource.transaction(run));
    // `write` left the sample's row as stored; a split or cascade changed other rows only. A scan
    // read the sample's active label already.
    if (ctx.scannedLabel) return this.samples.view(result!, ctx.scannedLabel);
    const [view] = await this.samples.views([result!]);
    return view;
  }

  /** Hold and reject, on the sample and, with `cascade`, on every descendant that allows it. */
  private cascading(actor: Actor, id: string, action: 'hold' | 'reject', dto: CascadingActionDto, ctx: ActionContext): Promise<SampleView> {
    return this.act(actor, id, action, dto, ctx, async (em, sample, base) => {
      await this.write(em, actor, sample, action, base, { changes: action === 'hold' ? { heldFrom: sample.state } : {}, payload: { cascade: !!dto.cascade, comment: dto.comment ?? null } });
      if (!dto.cascade) return;
      const below = await this.descendants(em, sample.id, (state) => SAMPLE_TRANSITIONS[action].from.includes(state));
      for (const piece of await this.lockAll(em, below.map((s) => s.id))) {
        if (!SAMPLE_TRANSITIONS[action].from.includes(piece.state)) continue; // changed meanwhile
        await this.write(em, actor, piece, action, base, { changes: action === 'hold' ? { heldFrom: piece.state } : {}, payload: { cascadedFrom: { id: sample.id, code: sample.code } } });
      }
    });
  }

  /** Moves a sample into a location (capacity checked under the location's lock). */
  private async moveTo(em: EntityManager, actor: Actor, sample: LockedSample, locationId: string, base: Omit<NewSampleEvent, 'type'>): Promise<void> {
    if (sample.locationId === locationId) throw AppError.badInput('locationId', 'the sample is already there');
    const location = await this.locations.lockForStorage(em, locationId, sample.centerId, 'locationId', sample.locationId);
    await this.write(em, actor, sample, 'store', base, {
      changes: { locationId: location.id },
      event: { locationId: location.id },
      payload: { toLocationName: location.name },
    });
  }

  /**
   * Appends an action's event and applies its row changes with it (one UPDATE of the sample).
   * The state follows the transition table unless `toState` says otherwise (a split that uses
   * the parent up).
   */
  private async write(
    em: EntityManager,
    actor: Actor,
    sample: LockedSample,
    action: SampleAction,
    base: Omit<NewSampleEvent, 'type'>,
    options: { changes?: SampleRowChanges; toState?: SampleState; event?: Partial<NewSampleEvent>; payload?: Record<string, unknown> } = {},
  ) {
    const from = sample.state;
    const to = options.toState ?? nextState(action, from, sample.heldFrom);
    const changes: SampleRowChanges = { ...options.changes, state: to };
    // A sample leaving a place is part of that place's history (GET /locations/{id}/history).
    const leaves = 'locationId' in changes && sample.locationId !== null && changes.locationId !== sample.locationId;
    const payload = leaves ? { ...options.payload, fromLocationId: sample.locationId } : (options.payload ?? {});
    const head = sample[CHAIN_HEAD];
    const written = await this.events.append(
      em,
      actor,
      head,
      { ...base, ...options.event, type: SAMPLE_TRANSITIONS[action].event, fromState: from, toState: to, payload },
      changes,
    );
    // The row as stored now, so the caller can answer without a reload.
    Object.assign(sample, changes, { lastEventSeq: head.lastEventSeq, updatedAt: written.updatedAt });
    return written;
  }

  /** Locks samples in id order (so concurrent multi-sample actions cannot deadlock). */
  private async lockAll(em: EntityManager, ids: string[]): Promise<LockedSample[]> {
    if (!ids.length) return [];
    const rows = (await em.query('SELECT * FROM samples WHERE id = ANY($1) ORDER BY id FOR UPDATE', [ids])) as Record<string, unknown>[];
    const byId = new Map(
      rows.map((row) => {
        const sample = hydrate(em, Sample, row);
        const head: ChainHead = { id: sample.id, lastEventSeq: sample.lastEventSeq, lastEventHash: row.last_event_hash as string | null };
        return [sample.id, Object.assign(sample, { [CHAIN_HEAD]: head })] as const;
      }),
    );
    return ids.map((id) => {
      const sample = byId.get(id);
      if (!sample) throw AppError.notFound('sample', id);
      return sample;
    });
  }

  /** Every descendant (through splits and combinations) whose state passes `keep`. */
  private async descendants(em: EntityManager, id: string, keep: (state: SampleState) => boolean): Promise<Pick<Sample, 'id' | 'code' | 'state'>[]> {
    const rows = (await em.query(
      `WITH RECURSIVE down AS (
         SELECT child_id, 1 AS depth FROM sample_lineage WHERE parent_id = $1
         UNION
         SELECT l.child_id, d.depth + 1 FROM sample_lineage l JOIN down d ON l.parent_id = d.child_id WHERE d.depth < 50
       )
       SELECT DISTINCT s.id, s.code, s.state FROM down JOIN samples s ON s.id = down.child_id ORDER BY s.code`,
      [id],
    )) as Pick<Sample, 'id' | 'code' | 'state'>[];
    return rows.filter((row) => keep(row.state));
  }

  private assertAllowed(sample: Sample, action: SampleAction): void {
    if (SAMPLE_TRANSITIONS[action].from.includes(sample.state)) return;
    const allowed = allowedSampleActions(sample.state);
    throw new AppError(
      'invalid-transition',
      `Cannot ${action} ${sample.code}: it is ${sample.state}; allowed now: ${allowed.length ? allowed.join(', ') : 'none'}`,
      [{ field: 'state', message: `is ${sample.state}` }],
      { sampleId: sample.id, currentState: sample.state, allowedActions: allowed },
    );
  }

  /** Physical handling is center staff's; the owner may only withdraw what it announced. */
  private assertStaff(actor: Actor, sample: Sample, action: SampleAction): void {
    if (canManageCenter(actor, sample.centerId)) return;
    if (SAMPLE_TRANSITIONS[action].ownerMayDo && actor.role === 'member' && actor.organizationId === sample.organizationId) return;
    throw AppError.forbidden(`Only staff of the center holding ${sample.code} may ${action} it`);
  }

  /** When it happened: given (not in the future, not before the sample existed) or now. */
  private occurredAt(given: string | undefined, samples: Sample[]): Date {
    if (!given) return new Date();
    const at = new Date(given);
    this.assertNotFuture(at, 'occurredAt');
    const earliest = Math.max(...samples.map((s) => s.registeredAt.getTime()));
    if (at.getTime() < earliest) throw AppError.badInput('occurredAt', `is before the sample was registered (${new Date(earliest).toISOString()})`);
    return at;
  }

  private assertNotFuture(at: Date, field: string): void {
    if (at.getTime() > Date.now() + FUTURE_TOLERANCE_MS) throw AppError.badInput(field, 'is in the future');
  }

  private async requireEquipment(actor: Actor, id: string, field: string): Promise<void> {
    await this.equipment.get(actor, id).catch(() => {
      throw AppError.badInput(field, 'no such equipment');
    });
  }

  /**
   * A reservation named by a process step must be on that equipment, cover the step's time and
   * belong to the sample's owner.
   */
  private async requireReservation(actor: Actor, sample: Sample, reservationId: string, equipmentId: string | null, from: Date | null, to: Date | null): Promise<void> {
    const reservation = await this.reservations.get(actor, reservationId).catch(() => {
      throw AppError.badInput('reservationId', 'no such reservation');
    });
    if (equipmentId && reservation.equipmentId !== equipmentId) throw AppError.badInput('reservationId', 'is on other equipment');
    if (reservation.organizationId !== sample.organizationId) throw AppError.badInput('reservationId', "belongs to another organization than the sample's owner");
    if (!['confirmed', 'in_use', 'completed'].includes(reservation.status)) throw AppError.badInput('reservationId', `is ${reservation.status}`);
    if (from && to && (from < reservation.start || to > reservation.end)) {
      throw AppError.badInput('reservationId', `does not cover ${from.toISOString()}–${to.toISOString()} (booked ${reservation.start.toISOString()}–${reservation.end.toISOString()})`);
    }
  }

}

/** A short text for a piece's descriptor: `dieX 3 dieY 7`, `piece 2`. */
export function describeDescriptor(descriptor: Record<string, unknown>): string {
  return Object.entries(descriptor)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}
