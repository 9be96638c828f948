import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor, canManageCenter } from '../common/auth/actor';
import { AppError } from '../common/errors/app-error';
import { isUuid, validateAs } from '../common/validation/validation';
import { Label } from '../labels/label.entity';
import { LabelsService } from '../labels/labels.service';
import { LocationsService, LocationView } from '../locations/locations.service';
import {
  CascadingActionDto,
  CheckInSampleDto,
  CheckOutSampleDto,
  DisposeSampleDto,
  MeasureSampleDto,
  ProcessStepDto,
  ReceiveSampleDto,
  ReturnSampleDto,
  SampleActionDto,
  ShipSampleDto,
  StoreSampleDto,
} from './dto/sample.dto';
import { ScanDto } from './dto/scan.dto';
import { ActionContext, SampleActionsService } from './sample-actions.service';
import { SamplesService, SampleView } from './samples.service';

export type ScanResult = { kind: 'sample'; label: string; sample: SampleView } | { kind: 'location'; label: string; location: LocationView };

/**
 * Scanner and app ingest: a label and an action become the same action as the REST endpoint,
 * recorded with source `scan` and the label read. A member scanning another organization's
 * sample gets what an unknown label gets.
 */
@Injectable()
export class ScanService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly labels: LabelsService,
    private readonly locations: LocationsService,
    private readonly samples: SamplesService,
    private readonly actions: SampleActionsService,
  ) {}

  async scan(actor: Actor, dto: ScanDto): Promise<ScanResult> {
    // Both labels in one query; the location label's errors count only where an action uses it.
    const [label, locationLabel] = await this.labels.resolveAll([
      { input: dto.label, field: 'label' },
      ...(dto.locationLabel ? [{ input: dto.locationLabel, field: 'locationLabel' }] : []),
    ]);
    if (label instanceof AppError) throw label;
    if (label.status === 'unassigned') return this.assign(actor, label, dto);
    if (label.locationId) {
      if (dto.action !== 'identify') {
        throw new AppError('invalid-transition', `${label.id} is a location label: scan the sample's label with it as locationLabel`, [{ field: 'action', message: 'only identify applies to a location label' }]);
      }
      return { kind: 'location', label: label.id, location: await this.locations.get(actor, label.locationId) };
    }
    const unknown = () => new AppError('not-found', `No label ${label.id}`, [{ field: 'label', message: 'no such label' }]);
    // A member scanning another organization's sample gets what an unknown label gets, before
    // anything else about the request is looked at (staff see every sample).
    if (actor.role === 'member') {
      const visible = await this.samples.find(actor, label.sampleId!).catch(() => {
        throw unknown();
      });
      if (dto.action === 'identify') return { kind: 'sample', label: label.id, sample: this.samples.view(visible, label.id) };
    }
    const ctx: ActionContext = { source: 'scan', scannedLabel: label.id };
    try {
      return { kind: 'sample', label: label.id, sample: await this.perform(actor, label.sampleId!, dto, ctx, locationLabel) };
    } catch (error) {
      // Another organization's sample: the same answer as a label that does not exist.
      if (error instanceof AppError && error.kind === 'not-found' && !error.errors) throw unknown();
      throw error;
    }
  }

  /** The scanned action, with `payload` checked as the action endpoint checks its body. */
  private async perform(actor: Actor, id: string, dto: ScanDto, ctx: ActionContext, locationLabel: Label | AppError | undefined): Promise<SampleView> {
    const payload = { ...(dto.payload ?? {}) };
    // Only actions that take a tool, a reservation or a place get them from the scan.
    const context = () => {
      if (dto.equipmentId) payload.equipmentId = dto.equipmentId;
      if (dto.reservationId) payload.reservationId = dto.reservationId;
      if (locationLabel) payload.locationId = this.locationOf(locationLabel);
    };
    const as = <T extends object>(type: new () => T) => validateAs(type, payload, 'payload.', { locationId: 'locationLabel' });
    switch (dto.action) {
      case 'identify':
        return this.samples.view(await this.samples.find(actor, id), ctx.scannedLabel ?? null);
      case 'receive':
        context();
        return this.actions.receive(actor, id, await as(ReceiveSampleDto), ctx);
      case 'store':
        if (!dto.locationLabel) throw AppError.badInput('locationLabel', 'scan the location to store the sample in');
        context();
        return this.actions.store(actor, id, await as(StoreSampleDto), ctx);
      case 'check-out':
        context();
        return this.actions.checkOut(actor, id, await as(CheckOutSampleDto), ctx);
      case 'check-in':
        context();
        return this.actions.checkIn(actor, id, await as(CheckInSampleDto), ctx);
      case 'process-step':
        context();
        return this.actions.processStep(actor, id, await as(ProcessStepDto), ctx);
      case 'measure':
        context();
        return this.actions.measure(actor, id, await as(MeasureSampleDto), ctx);
      case 'hold':
        return this.actions.hold(actor, id, await as(CascadingActionDto), ctx);
      case 'release':
        return this.actions.release(actor, id, await as(SampleActionDto), ctx);
      case 'reject':
        return this.actions.reject(actor, id, await as(CascadingActionDto), ctx);
      case 'ship':
        return this.actions.ship(actor, id, await as(ShipSampleDto), ctx);
      case 'return':
        return this.actions.returnSample(actor, id, await as(ReturnSampleDto), ctx);
      case 'dispose':
        return this.actions.dispose(actor, id, await as(DisposeSampleDto), ctx);
      case 'cancel':
        return this.actions.cancel(actor, id, await as(SampleActionDto), ctx);
      case 'assign':
        throw AppError.conflict(`The label is already bound`, 'label');
    }
  }

  /** Binds a pre-printed label, scanned off the roll, to a sample (staff only). */
  private async assign(actor: Actor, label: Label, dto: ScanDto): Promise<ScanResult> {
    if (dto.action !== 'assign') throw new AppError('invalid-transition', `${label.id} is not bound yet: assign it to a sample first`, [{ field: 'action', message: 'only assign applies to an unassigned label' }]);
    const sampleId = dto.payload?.sampleId;
    if (!isUuid(sampleId)) throw AppError.badInput('payload.sampleId', 'must be a UUID');
    return this.bindLabel(actor, label.id, { sampleId }, 'payload.sampleId');
  }

  /** Binds an unassigned label of the center to one of its samples or locations (staff only). */
  async bindLabel(actor: Actor, labelId: string, target: { sampleId?: string; locationId?: string }, field = target.sampleId ? 'sampleId' : 'locationId'): Promise<ScanResult> {
    if (target.sampleId) {
      const sampleId = target.sampleId;
      const sample = await this.samples.find(actor, sampleId).catch(() => {
        throw AppError.badInput(field, 'no such sample');
      });
      if (!canManageCenter(actor, sample.centerId)) throw AppError.forbidden('Only staff of the center may bind labels');
      const bound = await this.dataSource.transaction((em) => this.labels.bind(em, labelId, sample.centerId, { sampleId }, 'label'));
      return { kind: 'sample', label: bound.id, sample: await this.samples.get(actor, sampleId) };
    }
    const locationId = target.locationId!;
    const location = await this.locations.get(actor, locationId).catch(() => {
      throw AppError.badInput(field, 'no such location');
    });
    if (!canManageCenter(actor, location.centerId)) throw AppError.forbidden('Only staff of the center may bind labels');
    const bound = await this.dataSource.transaction((em) => this.labels.bind(em, labelId, location.centerId, { locationId }, 'label'));
    return { kind: 'location', label: bound.id, location: await this.locations.get(actor, locationId) };
  }

  /** The location a scanned location label stands for. */
  private locationOf(label: Label | AppError): string {
    if (label instanceof AppError) throw label;
    if (!label.locationId) throw AppError.badInput('locationLabel', 'is not a location label');
    return label.locationId;
  }
}
