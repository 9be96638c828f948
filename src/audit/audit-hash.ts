import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

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
  const canonical = canonicalize({
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
  return createHash('sha256').update(canonical as string).digest('hex');
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  firstBroken?: { id: string; entity: string; entityId: string; seq: number; reason: string };
}

/**
 * Walks entries sorted by (entity, entityId, seq) and reports the first that does not follow
 * from its predecessor: a changed field, a rewritten hash, or a gap in the sequence.
 */
export class ChainVerifier {
  private checked = 0;
  private previous: { entity: string; entityId: string; seq: number; hash: string } | null = null;
  private broken: ChainVerdict['firstBroken'];

  add(entry: AuditChainFields & { id: string; hash: string }): boolean {
    if (this.broken) return false;
    this.checked++;
    const sameChain = this.previous?.entity === entry.entity && this.previous.entityId === entry.entityId;
    const expectedSeq = sameChain ? this.previous!.seq + 1 : 1;
    const expectedPrev = sameChain ? this.previous!.hash : null;
    let reason: string | null = null;
    if (entry.seq !== expectedSeq) reason = `sequence ${entry.seq} where ${expectedSeq} was expected`;
    else if (entry.prevHash !== expectedPrev) reason = 'prev_hash does not match the previous entry';
    else if (auditHash(entry) !== entry.hash) reason = 'hash does not match the entry';
    if (reason) {
      this.broken = { id: entry.id, entity: entry.entity, entityId: entry.entityId, seq: entry.seq, reason };
      return false;
    }
    this.previous = { entity: entry.entity, entityId: entry.entityId, seq: entry.seq, hash: entry.hash };
    return true;
  }

  verdict(): ChainVerdict {
    return this.broken ? { ok: false, checked: this.checked, firstBroken: this.broken } : { ok: true, checked: this.checked };
  }
}
