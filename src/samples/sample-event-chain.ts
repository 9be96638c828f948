import { canonicalSha256, HashChainVerifier } from '../common/hashing/hash-chain';
import type { EventSource } from './sample-event.entity';
import type { SampleEventType, SampleState } from './sample-lifecycle';

/** Every field of a custody event that its hash covers, in stored form. */
export interface SampleEventFields {
  sampleId: string;
  seq: number;
  type: SampleEventType;
  relatedSampleIds: string[];
  occurredAt: Date;
  recordedAt: Date;
  actorId: string | null;
  actorKind: string;
  actorRole: string | null;
  onBehalfOf: string | null;
  source: EventSource;
  scannedLabel: string | null;
  reason: string | null;
  fromState: SampleState | null;
  toState: SampleState | null;
  locationId: string | null;
  equipmentId: string | null;
  reservationId: string | null;
  runId: string | null;
  payload: Record<string, unknown>;
  prevHash: string | null;
  requestId: string | null;
}

/** SHA-256 over the canonical JSON of the event (RFC 8785), linking it to the previous one. */
export function sampleEventHash(event: SampleEventFields): string {
  return canonicalSha256({
    sampleId: event.sampleId,
    seq: event.seq,
    type: event.type,
    relatedSampleIds: event.relatedSampleIds,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
    actorId: event.actorId,
    actorKind: event.actorKind,
    actorRole: event.actorRole,
    onBehalfOf: event.onBehalfOf,
    source: event.source,
    scannedLabel: event.scannedLabel,
    reason: event.reason,
    fromState: event.fromState,
    toState: event.toState,
    locationId: event.locationId,
    equipmentId: event.equipmentId,
    reservationId: event.reservationId,
    runId: event.runId,
    payload: event.payload,
    prevHash: event.prevHash,
    requestId: event.requestId,
  });
}

/** Checks custody chains link by link, sorted by sample and sequence. */
export class SampleEventChainVerifier extends HashChainVerifier<SampleEventFields & { id: string; entity: string; entityId: string; hash: string }> {
  constructor() {
    super(sampleEventHash);
  }
}
