import { canonicalSha256, HashChainVerifier } from '../common/hashing/hash-chain';

export type { ChainVerdict } from '../common/hashing/hash-chain';

/** The fields that the hash covers, in the form they are stored. */
export interface AuditChainFields {
  entity: string;
  entityId: string;
  seq: number;
  action: string;
  actorId: string | null;
  actorKind: string;
  actorRole: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
  at: Date;
  prevHash: string | null;
}

/** SHA-256 over the RFC 8785 canonical JSON of an entry, so the same entry always hashes alike. */
export function auditHash(entry: AuditChainFields): string {
  return canonicalSha256({
    entity: entry.entity,
    entityId: entry.entityId,
    seq: entry.seq,
    action: entry.action,
    actorId: entry.actorId,
    actorKind: entry.actorKind,
    actorRole: entry.actorRole,
    requestId: entry.requestId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    at: entry.at.toISOString(),
    prevHash: entry.prevHash,
  });
}

/** Verifies audit chains: the generic per-object verifier with the audit entry hash. */
export class ChainVerifier extends HashChainVerifier<AuditChainFields & { id: string; hash: string }> {
  constructor() {
    super(auditHash);
  }
}
