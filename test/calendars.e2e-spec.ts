import { createHash, randomBytes } from 'node:crypto';
import { Equipment } from '../src/equipment/equipment.entity';
import { bearer, equipmentBody, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

/** A future time on the whole hour, `hours` after the next whole hour, `days` from now. */
function slot(days: number, hours = 0): Date {
  const base = new Date(Date.now() + days * 24 * HOUR);
  base.setUTCMinutes(0, 0, 0);
  return new Date(base.getTime() + HOUR + hours * HOUR);
}

const iso = (date: Date) => date.toISOString();

/** The wall-clock time of `date` in Japan (UTC+9, no daylight time), as iCalendar writes it. */
const jst = (date: Date) => new Date(date.getTime() + 9 * HOUR).toISOString().slice(0, 19).replace(/[-:]/g, '');

interface Property {
  params: Record<string, string>;
  value: string;
}

/**
 * A small RFC 5545 reader: unfolds lines, checks that every BEGIN has its END, and returns the
 * components with their properties. Enough to tell a valid feed from a broken one.
 */
function parseICalendar(text: string) {
  expect(text.endsWith('\r\n')).toBe(true);
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').slice(0, -1);
  for (const line of lines) expect(line).toMatch(/^[A-Z][A-Z0-9-]*(;[^:]*)?:/);
  const stack: string[] = [];
  const components: { name: string; props: Map<string, Property[]> }[] = [];
  let current: { name: string; props: Map<string, Property[]> } | null = null;
  for (const line of lines) {
    const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const [name, ...paramParts] = line.slice(0, colon).split(';');
    const value = line.slice(colon + 1);
    if (name === 'BEGIN') {
      stack.push(value);
      current = { name: value, props: new Map() };
      components.push(current);
      continue;
    }
    if (name === 'END') {
      expect(stack.pop()).toBe(value);
      current = null;
      continue;
    }
    const params = Object.fromEntries(paramParts.map((part) => part.split('=') as [string, string]));
    if (current) current.props.set(name, [...(current.props.get(name) ?? []), { params, value }]);
  }
  expect(stack).toEqual([]);
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines[lines.length - 1]).toBe('END:VCALENDAR');
  expect(components[0].props.get('VERSION')?.[0].value).toBe('2.0');
  expect(components[0].props.get('PRODID')).toHaveLength(1);
  const events = components
    .filter((c) => c.name === 'VEVENT')
    .map((c) => {
      const one = (key: string) => c.props.get(key)?.[0];
      for (const required of ['UID', 'DTSTAMP', 'DTSTART']) expect(one(required)).toBeDefined();
      // DTSTAMP and LAST-MODIFIED are always UTC.
      expect(one('DTSTAMP')!.value).toMatch(/^\d{8}T\d{6}Z$/);
      expect(one('LAST-MODIFIED')?.value ?? 'none').toMatch(/^(\d{8}T\d{6}Z|none)$/);
      return {
        uid: one('UID')!.value,
        start: one('DTSTART')!,
        end: one('DTEND')!,
        summary: one('SUMMARY')?.value,
        description: one('DESCRIPTION')?.value,
        status: one('STATUS')?.value,
      };
    });
  const timezones = components.filter((c) => c.name === 'VTIMEZONE').map((c) => c.props.get('TZID')![0].value);
  return { events, timezones };
}

describe('calendar feeds', () => {
  let t: TestApp;
  let world: World;
  let open: Equipment; // no qualification, no approval
  let approval: Equipment; // no qualification, approval required
  const booked: Record<string, { id: string; start: Date; end: Date }> = {};

  const post = (token: string, body: Record<string, unknown>) => t.http().post('/api/v1/calendars').set(bearer(token)).send(body);
  const ics = (path: string) => t.http().get(`/api/v1/calendars/${path}`);
  const book = async (key: string, token: string, body: Record<string, unknown>, start: Date, hours = 1) => {
    const end = new Date(start.getTime() + hours * HOUR);
    const res = await t.http().post('/api/v1/reservations').set(bearer(token)).send({ ...body, start: iso(start), end: iso(end) });
    expect(res.status).toBe(201);
    booked[key] = { id: res.body.id, start, end };
  };

  beforeAll(async () => {
    t = await createTestApp();
    world = await seedWorld(t);
    open = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(equipmentBody(world.centers.kns.id, 'CAL-01')).expect(201)).body;
    const withApproval = equipmentBody(world.centers.kns.id, 'CAL-02');
    withApproval.policy = { ...withApproval.policy, requiresApproval: true };
    approval = (await t.http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send(withApproval).expect(201)).body;

    await book('alpha', world.tokens.memberA, { equipmentId: open.id, projectId: world.projects.a.id, purpose: 'Alpha GaN wafer scan' }, slot(2));
    await book('beta', world.tokens.memberB, { equipmentId: open.id, projectId: world.projects.b.id, purpose: 'Beta secret perovskite recipe' }, slot(3));
    await book('maintenance', world.tokens.staff, { equipmentId: open.id, kind: 'maintenance', purpose: 'Chamber clean and leak check' }, slot(4), 3);
    await book('alphaPending', world.tokens.memberA, { equipmentId: approval.id, projectId: world.projects.a.id }, slot(5));
    await book('alphaCancelled', world.tokens.memberA, { equipmentId: open.id, projectId: world.projects.a.id }, slot(6));
    await t.http().post(`/api/v1/reservations/${booked.alphaCancelled.id}/cancel`).set(bearer(world.tokens.memberA)).send({}).expect(200);
  });
  afterAll(() => t.close());

  it('shows the token once, stores only its hash, and never lists or audits it', async () => {
    const res = await post(world.tokens.memberA, { scope: 'user' });
    expect(res.status).toBe(201);
    const { id, token, url } = res.body;
    expect(res.body).toEqual({ id, token, url, scope: 'user', equipmentId: null });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url).toBe(`http://hub.test/api/v1/calendars/${token}.ics`);

    const [row] = await t.dataSource.query('SELECT token_hash, user_id, organization_id, scope FROM calendar_feeds WHERE id = $1', [id]);
    expect(row).toEqual({
      token_hash: createHash('sha256').update(token).digest('hex'),
      user_id: world.users.memberA.id,
      organization_id: world.orgs.a.id,
      scope: 'user',
    });
    const [stored] = await t.dataSource.query(`SELECT count(*)::int AS n FROM calendar_feeds WHERE row_to_json(calendar_feeds)::text LIKE '%' || $1 || '%'`, [token]);
    expect(stored.n).toBe(0);

    const audit = await t.dataSource.query(`SELECT action, before, after FROM audit_log WHERE entity = 'calendar_feed' AND entity_id = $1`, [id]);
    expect(audit).toEqual([{ action: 'create', before: null, after: { id, scope: 'user', equipmentId: null } }]);

    const list = await t.http().get('/api/v1/calendars').set(bearer(world.tokens.memberA)).expect(200);
    const listed = list.body.items.find((feed: { id: string }) => feed.id === id);
    expect(listed).toMatchObject({ id, scope: 'user', userId: world.users.memberA.id, revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(listed).not.toHaveProperty('tokenHash');
    const listB = await t.http().get('/api/v1/calendars').set(bearer(world.tokens.memberB)).expect(200);
    expect(listB.body.items.map((feed: { id: string }) => feed.id)).not.toContain(id);
  });

  it('serves a user feed as valid iCalendar with only the owner’s bookings, in the center’s time zone', async () => {
    const { token } = (await post(world.tokens.memberA, { scope: 'user' }).expect(201)).body;
    const res = await ics(`${token}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const text = res.text;
    const { events, timezones } = parseICalendar(text);
    expect(timezones).toEqual(['Asia/Tokyo']);

    expect(events.map((e) => e.uid).sort()).toEqual([`${booked.alpha.id}@foundry-hub`, `${booked.alphaPending.id}@foundry-hub`].sort());
    const alpha = events.find((e) => e.uid === `${booked.alpha.id}@foundry-hub`)!;
    expect(alpha.start).toEqual({ params: { TZID: 'Asia/Tokyo' }, value: jst(booked.alpha.start) });
    expect(alpha.end).toEqual({ params: { TZID: 'Asia/Tokyo' }, value: jst(booked.alpha.end) });
    expect(alpha).toMatchObject({ summary: 'CAL-01 · Confirmed', description: 'Alpha GaN wafer scan', status: 'CONFIRMED' });
    const pending = events.find((e) => e.uid === `${booked.alphaPending.id}@foundry-hub`)!;
    expect(pending).toMatchObject({ summary: 'CAL-02 · Pending', status: 'TENTATIVE' });
    expect(text).not.toContain('Beta');
    expect(text).not.toContain('Chamber clean');
  });

  it('shows another organization’s booking on a member’s equipment feed only as "Booked"', async () => {
    const created = await post(world.tokens.memberA, { scope: 'equipment', equipmentId: open.id });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scope: 'equipment', equipmentId: open.id });
    const res = await ics(`${created.body.token}.ics`).expect(200);
    const { events, timezones } = parseICalendar(res.text);
    expect(timezones).toEqual(['Asia/Tokyo']);

    const byId = (key: string) => events.find((e) => e.uid === `${booked[key].id}@foundry-hub`);
    expect(events).toHaveLength(3);
    expect(byId('alpha')).toMatchObject({ summary: 'CAL-01 · Confirmed', description: 'Alpha GaN wafer scan' });
    expect(byId('beta')).toEqual({
      uid: `${booked.beta.id}@foundry-hub`,
      start: { params: { TZID: 'Asia/Tokyo' }, value: jst(booked.beta.start) },
      end: { params: { TZID: 'Asia/Tokyo' }, value: jst(booked.beta.end) },
      summary: 'CAL-01 · Booked',
      description: undefined,
      status: 'CONFIRMED',
    });
    expect(byId('maintenance')).toMatchObject({ summary: 'CAL-01 · Maintenance', description: undefined });
    expect(byId('alphaCancelled')).toBeUndefined();
    for (const secret of ['Beta', 'perovskite', world.users.memberB.id, world.projects.b.id, world.orgs.b.id, 'Bob', 'Chamber clean']) {
      expect({ secret, found: res.text.includes(secret) }).toEqual({ secret, found: false });
    }

    // Staff see every organization's details on the same tool.
    const staffFeed = (await post(world.tokens.staff, { scope: 'equipment', equipmentId: open.id }).expect(201)).body;
    const staffEvents = parseICalendar((await ics(`${staffFeed.token}.ics`).expect(200)).text).events;
    expect(staffEvents.find((e) => e.uid === `${booked.beta.id}@foundry-hub`)).toMatchObject({ summary: 'CAL-01 · Confirmed', description: 'Beta secret perovskite recipe' });
    expect(staffEvents.find((e) => e.uid === `${booked.maintenance.id}@foundry-hub`)).toMatchObject({ summary: 'CAL-01 · Maintenance', description: 'Chamber clean and leak check' });
  });

  it('revokes a feed for its owner or an admin only; a revoked, unknown or non-.ics feed is a 404', async () => {
    const { token } = (await post(world.tokens.memberA, { scope: 'user' }).expect(201)).body;
    await ics(`${token}.ics`).expect(200);

    const byOther = await t.http().delete(`/api/v1/calendars/${token}`).set(bearer(world.tokens.memberB));
    expect(byOther.status).toBe(404);
    expect(byOther.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await t.http().delete(`/api/v1/calendars/${token}`).set(bearer(world.tokens.staff))).status).toBe(404);
    await ics(`${token}.ics`).expect(200);

    const revoked = await t.http().delete(`/api/v1/calendars/${token}`).set(bearer(world.tokens.memberA));
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect(JSON.stringify(revoked.body)).not.toContain(token);
    const gone = await ics(`${token}.ics`);
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(gone.body.detail).not.toContain(token);
    const audit = await t.dataSource.query(`SELECT action, after FROM audit_log WHERE entity = 'calendar_feed' AND entity_id = $1 ORDER BY seq`, [revoked.body.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['create', 'revoke']);
    expect(JSON.stringify(audit)).not.toContain(token);

    const other = (await post(world.tokens.memberB, { scope: 'user' }).expect(201)).body;
    expect((await t.http().delete(`/api/v1/calendars/${other.token}.ics`).set(bearer(world.tokens.admin))).status).toBe(200);
    expect((await ics(`${other.token}.ics`)).status).toBe(404);

    const unknown = randomBytes(32).toString('base64url');
    for (const path of [`${unknown}.ics`, 'nope.ics', '.ics', token, `${token}.json`, `${token}.ics.txt`]) {
      const res = await ics(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect((await t.http().delete(`/api/v1/calendars/${unknown}`).set(bearer(world.tokens.admin))).status).toBe(404);
    const live = (await post(world.tokens.memberA, { scope: 'user' }).expect(201)).body;
    expect((await ics(live.token)).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field, and callers without credentials', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ scope: 'team' }, 'scope'],
      [{}, 'scope'],
      [{ scope: 'equipment' }, 'equipmentId'],
      [{ scope: 'equipment', equipmentId: 'ALD-01' }, 'equipmentId'],
      [{ scope: 'equipment', equipmentId: '00000000-0000-4000-8000-000000000000' }, 'equipmentId'],
      [{ scope: 'user', equipmentId: open.id }, 'equipmentId'],
      [{ scope: 'user', token: 'mine' }, 'token'],
    ];
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM calendar_feeds');
    for (const [body, field] of cases) {
      const res = await post(world.tokens.memberA, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM calendar_feeds')).toEqual(before);
    expect((await t.http().post('/api/v1/calendars').send({ scope: 'user' })).status).toBe(401);
    expect((await t.http().get('/api/v1/calendars')).status).toBe(401);
  });
});
