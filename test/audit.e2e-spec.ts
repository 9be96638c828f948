import { bearer, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

describe('audit log', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
  });
  afterAll(() => t.close());

  it('records who changed what, before and after, with the request id, in a hash chain per object', async () => {
    await t.http().patch(`/api/v1/organizations/${world.orgs.a.id}`).set(bearer(world.tokens.staff)).set('x-request-id', 'req-audit-1').send({ billingAddress: '1-1 Tsukuba' }).expect(200);
    const res = await t.http().get(`/api/v1/audit?entity=organization&id=${world.orgs.a.id}`).set(bearer(world.tokens.admin));
    expect(res.status).toBe(200);
    const [update, create] = res.body.items;
    expect(update).toMatchObject({ action: 'update', seq: 2, actorId: world.users.staff.id, actorKind: 'user', actorRole: 'staff', requestId: 'req-audit-1' });
    expect(update.before.billingAddress).toBeNull();
    expect(update.after.billingAddress).toBe('1-1 Tsukuba');
    expect(update.prevHash).toBe(create.hash);
    expect(create).toMatchObject({ action: 'create', seq: 1, prevHash: null, actorKind: 'system' });
    expect(update.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never records a password hash', async () => {
    const rows = await t.dataSource.query(`SELECT after::text AS after FROM audit_log WHERE entity = 'user'`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.after).not.toMatch(/scrypt|password/i);
  });

  it('keeps secret and internal columns out of creation entries and responses (API key hash, calendar token hash, stored range)', async () => {
    const key = await t.http().post('/api/v1/api-keys').set(bearer(world.tokens.admin)).send({ name: 'audit-secret-check', role: 'staff', centerIds: [world.centers.kns.id] }).expect(201);
    const [entry] = await t.dataSource.query(`SELECT after FROM audit_log WHERE entity = 'api_key' AND entity_id = $1`, [key.body.id]);
    expect(Object.keys(entry.after)).not.toEqual(expect.arrayContaining(['keyHash']));
    expect(JSON.stringify(entry.after)).not.toContain(key.body.key.slice(-12));
    const [stored] = await t.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [key.body.id]);
    expect(JSON.stringify(entry.after)).not.toContain(stored.key_hash);
    expect(JSON.stringify(key.body)).not.toContain(stored.key_hash);
  });

  it('writes the entry in the same transaction as the change: a refused change leaves no entry', async () => {
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_log');
    const dup = await t.http().post('/api/v1/organizations').set(bearer(world.tokens.admin)).send({ name: 'Alpha Devices K.K.', kind: 'company' });
    expect(dup.status).toBe(409);
    const after = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_log');
    expect(after[0].n).toBe(before[0].n);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(t.dataSource.query(`UPDATE audit_log SET action = 'tampered' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it('verifies every chain, and names the first broken entry after a direct edit by a superuser', async () => {
    const intact = await t.http().get('/api/v1/audit/verify').set(bearer(world.tokens.admin));
    expect(intact.status).toBe(200);
    const total = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_log');
    expect(intact.body).toEqual({ ok: true, checked: total[0].n });

    const [victim] = await t.dataSource.query(`SELECT id, entity, entity_id, seq FROM audit_log WHERE entity = 'project' ORDER BY id LIMIT 1`);
    await t.dataSource.transaction(async (em) => {
      await em.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await em.query(`UPDATE audit_log SET after = jsonb_set(after, '{rateCategory}', '"academic"') WHERE id = $1`, [victim.id]);
      await em.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    });

    const broken = await t.http().get('/api/v1/audit/verify').set(bearer(world.tokens.staff));
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken).toMatchObject({ id: String(victim.id), entity: 'project', entityId: victim.entity_id, seq: victim.seq, reason: 'hash does not match the entry' });
    expect(broken.body.checked).toBeLessThanOrEqual(total[0].n);
  });

  it('detects a deleted entry as a gap in the chain', async () => {
    const [victim] = await t.dataSource.query(`SELECT id, entity_id FROM audit_log WHERE entity = 'organization' AND entity_id = $1 AND seq = 1`, [world.orgs.a.id]);
    await t.dataSource.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(`DELETE FROM audit_log WHERE id = $1`, [victim.id]);
    });
    const res = await t.http().get('/api/v1/audit/verify').set(bearer(world.tokens.admin));
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBroken).toMatchObject({ entity: 'organization', entityId: world.orgs.a.id, seq: 2, reason: 'sequence 2 where 1 was expected' });
  });
});
