import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** SHA-256 (hex) over the RFC 8785 canonical JSON of a value: equal content, equal hash. */
export function canonicalSha256(value: unknown): string {
  return createHash('sha256')
    .update(canonicalize(value) as string)
    .digest('hex');
}

/** What a chain verifier answers: how many links it checked and the first that is broken. */
export interface ChainVerdict {
  ok: boolean;
  checked: number;
  firstBroken?: { id: string; entity: string; entityId: string; seq: number; reason: string };
}

/** One link of a per-object hash chain (audit entries of an object, custody events of a sample). */
export interface ChainLink {
  id: string;
  entity: string;
  entityId: string;
  seq: number;
  prevHash: string | null;
  hash: string;
}

/**
 * Walks links sorted by (entity, entityId, seq) and reports the first that does not follow
 * from its predecessor: a changed field (its recomputed hash differs), a rewritten hash, or a
 * gap in the sequence.
 */
export class HashChainVerifier<T extends ChainLink> {
  private checked = 0;
  private previous: { entity: string; entityId: string; seq: number; hash: string } | null = null;
  private broken: ChainVerdict['firstBroken'];

  constructor(private readonly rehash: (link: T) => string) {}

  add(link: T): boolean {
    if (this.broken) return false;
    this.checked++;
    const sameChain = this.previous?.entity === link.entity && this.previous.entityId === link.entityId;
    const expectedSeq = sameChain ? this.previous!.seq + 1 : 1;
    const expectedPrev = sameChain ? this.previous!.hash : null;
    let reason: string | null = null;
    if (link.seq !== expectedSeq) reason = `sequence ${link.seq} where ${expectedSeq} was expected`;
    else if (link.prevHash !== expectedPrev) reason = 'prev_hash does not match the previous entry';
    else if (this.rehash(link) !== link.hash) reason = 'hash does not match the entry';
    if (reason) {
      this.broken = { id: link.id, entity: link.entity, entityId: link.entityId, seq: link.seq, reason };
      return false;
    }
    this.previous = { entity: link.entity, entityId: link.entityId, seq: link.seq, hash: link.hash };
    return true;
  }

  verdict(): ChainVerdict {
    return this.broken ? { ok: false, checked: this.checked, firstBroken: this.broken } : { ok: true, checked: this.checked };
  }
}

/** Several chains' verdicts as one: the counts add up, the first broken link wins. */
export function combineVerdicts(verdicts: ChainVerdict[]): ChainVerdict {
  const checked = verdicts.reduce((sum, v) => sum + v.checked, 0);
  const broken = verdicts.find((v) => !v.ok);
  return broken ? { ok: false, checked, firstBroken: broken.firstBroken } : { ok: true, checked };
}
