import { auditHash, AuditChainFields, ChainVerifier } from './audit-hash';

function chain(entity: string, entityId: string, length: number) {
  const entries: (AuditChainFields & { id: string; hash: string })[] = [];
  let prevHash: string | null = null;
  for (let seq = 1; seq <= length; seq++) {
    const fields: AuditChainFields = {
      entity, entityId, seq, action: seq === 1 ? 'create' : 'update', actorId: null, actorKind: 'system', actorRole: null, requestId: null,
      before: seq === 1 ? null : { n: seq - 1 }, after: { n: seq, nested: { b: 2, a: 1 } }, at: new Date(Date.UTC(2026, 10, seq)), prevHash,
    };
    const hash = auditHash(fields);
    entries.push({ ...fields, id: `${entity}-${seq}`, hash });
    prevHash = hash;
  }
  return entries;
}

describe('audit hash chain', () => {
  it('hashes canonically: key order does not change the hash', () => {
    const [entry] = chain('center', 'c1', 1);
    expect(auditHash({ ...entry, after: { nested: { a: 1, b: 2 }, n: 1 } })).toBe(entry.hash);
    expect(auditHash({ ...entry, after: { n: 2, nested: { a: 1, b: 2 } } })).not.toBe(entry.hash);
  });

  it('accepts intact chains', () => {
    const verifier = new ChainVerifier();
    [...chain('center', 'c1', 3), ...chain('equipment', 'e1', 2)].forEach((entry) => verifier.add(entry));
    expect(verifier.verdict()).toEqual({ ok: true, checked: 5 });
  });

  it('names the first entry whose content, link or sequence is wrong', () => {
    const edited = chain('center', 'c1', 3);
    edited[1] = { ...edited[1], after: { n: 99 } };
    const verifier = new ChainVerifier();
    edited.forEach((entry) => verifier.add(entry));
    expect(verifier.verdict()).toMatchObject({ ok: false, checked: 2, firstBroken: { id: 'center-2', seq: 2, reason: 'hash does not match the entry' } });

    const gap = chain('center', 'c1', 3);
    gap.splice(1, 1);
    const gapVerifier = new ChainVerifier();
    gap.forEach((entry) => gapVerifier.add(entry));
    expect(gapVerifier.verdict().firstBroken).toMatchObject({ seq: 3, reason: 'sequence 3 where 2 was expected' });

    const relinked = chain('center', 'c1', 2);
    relinked[1] = { ...relinked[1], prevHash: 'f'.repeat(64) };
    const linkVerifier = new ChainVerifier();
    relinked.forEach((entry) => linkVerifier.add(entry));
    expect(linkVerifier.verdict().firstBroken?.reason).toBe('prev_hash does not match the previous entry');
  });
});
