import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BillingService } from '../src/billing/billing.service';
import { fiscalYearOf, invoiceNumber } from '../src/billing/invoice-calendar';
import { SYSTEM_ACTOR } from '../src/common/auth/actor';
import { Equipment } from '../src/equipment/equipment.entity';
import { JobName, QueueName, ReservationEventType } from '../src/infra/queue/queue-name';
import { OutboxService } from '../src/outbox/outbox.service';
import { ProjectsService } from '../src/projects/projects.service';
import { extractText } from '../src/samples/testing/pdf-text';
import { UsersService } from '../src/users/users.service';
import { binary } from './support/binary';
import { eventually } from './support/eventually';
import { bearer, equipmentBody, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RATES = { academic: 3000, industry: 12000, venture: 6000 };
const STAFF_RATES = { academic: 2000, industry: 7000, venture: 4000 };
const REGISTRATION = 'T1234567890123';

interface ChargeBody {
  id: string;
  kind: string;
  amount: number;
  minutes: number | null;
  invoiceId: string | null;
  sourceKind: string;
  sourceId: string;
  adjustsChargeId: string | null;
  reissueOfId: string | null;
  occurredAt: string;
}

describe('billing: charges and invoices', () => {
  let t: TestApp;
  let world: World;
  let kyuStaffToken: string;
  let projectA2: { id: string; code: string };
  const tools: Record<'used' | 'booked' | 'greater' | 'penalty', Equipment> = {} as never;

  const http = () => t.http();
  const charges = (query: string, token = world.tokens.staff) => http().get(`/api/v1/charges?${query}`).set(bearer(token));
  const chargesOf = (sourceId: string): Promise<ChargeBody[]> =>
    t.dataSource.query(
      `SELECT id, kind, amount::int AS amount, minutes, invoice_id AS "invoiceId", source_kind AS "sourceKind", source_id AS "sourceId",
              adjusts_charge_id AS "adjustsChargeId", reissue_of_id AS "reissueOfId", occurred_at AS "occurredAt"
         FROM charges WHERE source_id = $1 ORDER BY source_line`,
      [sourceId],
    );

  /** Emits a reservation event through the outbox, as the reservations module does, and waits until the worker has handled it. */
  async function emit(event: ReservationEventType, reservationId: string): Promise<void> {
    const message = await t.dataSource.transaction((em) => t.app.get(OutboxService).add(em, JobName.ReservationEvent, { event, reservationId }));
    const queue = t.app.get<Queue>(getQueueToken(QueueName.ReservationEvents));
    await eventually(async () => (await queue.getJob(message.id))?.isCompleted());
  }

  /** A booking that has already happened (inserted as it would stand at its end), with its used sessions. */
  async function pastBooking(
    tool: Equipment,
    options: { status: 'completed' | 'no_show' | 'cancelled'; start: string; minutes: number; used?: [number, number][]; mode?: 'self' | 'assisted'; late?: boolean; kind?: 'booking' | 'maintenance' },
  ): Promise<string> {
    const start = new Date(options.start);
    const end = new Date(start.getTime() + options.minutes * MINUTE);
    const maintenance = options.kind === 'maintenance';
    const [row] = await t.dataSource.query(
      `INSERT INTO reservations (equipment_id, kind, user_id, organization_id, project_id, mode, status, start_at, end_at, period, late_cancellation)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, tstzrange($8, $9), $10) RETURNING id`,
      [
        tool.id,
        options.kind ?? 'booking',
        maintenance ? world.users.staff.id : world.users.memberA.id,
        maintenance ? null : world.orgs.a.id,
        maintenance ? null : world.projects.a.id,
        maintenance ? null : (options.mode ?? 'self'),
        options.status,
        start,
        end,
        options.late ?? false,
      ],
    );
    for (const [from, to] of options.used ?? []) {
      await t.dataSource.query(`INSERT INTO reservation_usages (reservation_id, equipment_id, started_at, ended_at) VALUES ($1, $2, $3, $4)`, [
        row.id,
        tool.id,
        new Date(start.getTime() + from * MINUTE),
        new Date(start.getTime() + to * MINUTE),
      ]);
    }
    return row.id;
  }

  /** Charges a delivered service request at its quoted prices, as the analysis-services module does on delivery. */
  async function serviceCharges(organizationId: string, projectId: string, occurredAt: string, amounts: number[], options: { taxRate?: number; requestId?: string; centerId?: string } = {}): Promise<string> {
    const serviceRequestId = options.requestId ?? randomUUID();
    await t.dataSource.transaction((em) =>
      t.app.get(BillingService).chargeServiceRequest(em, SYSTEM_ACTOR, {
        serviceRequestId,
        requestCode: 'KNS-SR-26-0007',
        centerId: options.centerId ?? world.centers.kns.id,
        organizationId,
        projectId,
        occurredAt: new Date(occurredAt),
        taxRate: options.taxRate ?? 10,
        lines: amounts.map((amount, i) => ({ position: i + 1, description: `XPS survey scan ${i + 1}`, quantity: '1', unit: 'sample', unitPrice: amount, amount })),
      }),
    );
    return serviceRequestId;
  }

  /** The fiscal year an invoice issued at `issuedAt` is numbered in at KNS, by the center's own rule. */
  async function knsFiscalYear(issuedAt: string): Promise<number> {
    const [center] = await t.dataSource.query('SELECT timezone, fiscal_year_start_month FROM centers WHERE id = $1', [world.centers.kns.id]);
    return fiscalYearOf(new Date(issuedAt), center.timezone, center.fiscal_year_start_month);
  }

  const build = (body: Record<string, unknown>, token = world.tokens.staff) => http().post('/api/v1/invoices').set(bearer(token)).send(body);
  const act = (id: string, action: string, body: Record<string, unknown> = {}, token = world.tokens.staff) => http().post(`/api/v1/invoices/${id}/${action}`).set(bearer(token)).send(body);
  const pdf = (id: string, token: string, lang?: string) =>
    http()
      .get(`/api/v1/invoices/${id}.pdf${lang ? `?lang=${lang}` : ''}`)
      .set(bearer(token))
      .buffer(true)
      .parse(binary);

  beforeAll(async () => {
    t = await createTestApp({ worker: true });
    world = await seedWorld(t);
    await t.dataSource.query(`UPDATE centers SET invoice_registration_number = $2, address = '1-2-3 Sengen, Tsukuba' WHERE id = $1`, [world.centers.kns.id, REGISTRATION]);
    await t.dataSource.query(`UPDATE organizations SET name_ja = 'アルファデバイス株式会社', billing_address = '1-1 Marunouchi, Tokyo' WHERE id = $1`, [world.orgs.a.id]);
    const kyuStaff = await t.app.get(UsersService).create(SYSTEM_ACTOR, { email: 'staff@kyu.test', password: PASSWORD, displayName: 'Staff KYU', role: 'staff', centerIds: [world.centers.kyu.id] });
    kyuStaffToken = t.tokenFor(kyuStaff.id, 'staff');
    projectA2 = await t.app.get(ProjectsService).create(SYSTEM_ACTOR, { organizationId: world.orgs.a.id, code: 'A-2', name: 'Alpha SiC power', rateCategory: 'industry' });
    const tool = async (code: string, billing: Record<string, unknown>) =>
      (await http().post('/api/v1/equipment').set(bearer(world.tokens.staff)).send({ ...equipmentBody(world.centers.kns.id, code), rates: RATES, ...billing }).expect(201)).body as Equipment;
    tools.used = await tool('BILL-USED', { chargeFor: 'used' });
    tools.booked = await tool('BILL-BOOKED', { chargeFor: 'booked' });
    tools.greater = await tool('BILL-GREATER', { staffRates: STAFF_RATES });
    tools.penalty = await tool('BILL-PENALTY', { noShowChargePercent: 80, lateCancellationChargePercent: 30 });
  });
  afterAll(() => t.close());

  describe('equipment billing settings', () => {
    it('defaults to the greater of used and booked time, 100 % for no-shows and 50 % for late cancellations', async () => {
      expect(tools.greater).toMatchObject({ chargeFor: 'greater', noShowChargePercent: 100, lateCancellationChargePercent: 50, staffRates: STAFF_RATES });
      expect(tools.used).toMatchObject({ chargeFor: 'used', staffRates: null });
      const list = await http().get('/api/v1/equipment?q=BILL-&limit=10').set(bearer(world.tokens.memberA)).expect(200);
      expect(list.body.items.find((e: Equipment) => e.code === 'BILL-PENALTY')).toMatchObject({ chargeFor: 'greater', noShowChargePercent: 80, lateCancellationChargePercent: 30, staffRates: null });
    });

    it('refuses bad billing settings naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ chargeFor: 'whatever' }, 'chargeFor'],
        [{ noShowChargePercent: 150 }, 'noShowChargePercent'],
        [{ lateCancellationChargePercent: -1 }, 'lateCancellationChargePercent'],
        [{ chargeFor: null }, 'chargeFor'],
        [{ staffRates: { academic: 1, industry: 'lots', venture: 1 } }, 'staffRates.industry'],
      ];
      for (const [patch, field] of cases) {
        const res = await http().patch(`/api/v1/equipment/${tools.penalty.id}`).set(bearer(world.tokens.staff)).send(patch);
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const res = await http().patch(`/api/v1/equipment/${tools.penalty.id}`).set(bearer(world.tokens.staff)).send({ staffRates: STAFF_RATES }).expect(200);
      expect(res.body.staffRates).toEqual(STAFF_RATES);
      await http().patch(`/api/v1/equipment/${tools.penalty.id}`).set(bearer(world.tokens.staff)).send({ staffRates: null }).expect(200);
    });
  });

  describe('charges derived from reservation events', () => {
    it('charges a booking checked in and out through the API, recorded by the worker (greater: the booked hour)', async () => {
      const start = new Date(Math.ceil(Date.now() / (30 * MINUTE)) * 30 * MINUTE);
      const booked = await http()
        .post('/api/v1/reservations')
        .set(bearer(world.tokens.memberA))
        .send({ equipmentId: tools.greater.id, projectId: world.projects.a.id, start: start.toISOString(), end: new Date(start.getTime() + HOUR).toISOString() })
        .expect(201);
      await http().post(`/api/v1/reservations/${booked.body.id}/check-in`).set(bearer(world.tokens.memberA)).send({}).expect(200);
      await http().post(`/api/v1/reservations/${booked.body.id}/check-out`).set(bearer(world.tokens.memberA)).send({}).expect(200);
      const [charge] = await eventually(async () => {
        const rows = await chargesOf(booked.body.id);
        return rows.length ? rows : null;
      });
      expect(charge).toMatchObject({ kind: 'instrument_time', minutes: 60, amount: 12000, sourceKind: 'reservation', invoiceId: null });

      const mine = await charges(`uninvoiced=true&projectId=${world.projects.a.id}`, world.tokens.memberA).expect(200);
      expect(mine.body.items.map((c: ChargeBody) => c.id)).toContain(charge.id);
      const one = await http().get(`/api/v1/charges/${charge.id}`).set(bearer(world.tokens.memberA)).expect(200);
      expect(one.body).toMatchObject({ id: charge.id, sourceId: booked.body.id, unitPrice: 12000, quantity: '1.00', unit: 'h', taxRate: 10, effectiveAmount: 12000, adjustments: [] });
    });

    it('charges a late cancellation made through the API at the policy’s percentage of the booked time', async () => {
      const start = new Date(Math.ceil((Date.now() + 3 * HOUR) / (30 * MINUTE)) * 30 * MINUTE);
      const booked = await http()
        .post('/api/v1/reservations')
        .set(bearer(world.tokens.memberA))
        .send({ equipmentId: tools.penalty.id, projectId: world.projects.a.id, start: start.toISOString(), end: new Date(start.getTime() + 2 * HOUR).toISOString() })
        .expect(201);
      const cancelled = await http().post(`/api/v1/reservations/${booked.body.id}/cancel`).set(bearer(world.tokens.memberA)).send({}).expect(200);
      expect(cancelled.body.lateCancellation).toBe(true);
      const [charge] = await eventually(async () => {
        const rows = await chargesOf(booked.body.id);
        return rows.length ? rows : null;
      });
      // 2 h × ¥12,000 × 30 %
      expect(charge).toMatchObject({ kind: 'late_cancellation', minutes: 120, amount: 7200 });
    });

    it('charges used time, booked time or the greater, per tool', async () => {
      const used = await pastBooking(tools.used, { status: 'completed', start: '2025-10-06T01:00:00Z', minutes: 120, used: [[5, 100]] });
      const bookedTime = await pastBooking(tools.booked, { status: 'completed', start: '2025-10-07T01:00:00Z', minutes: 120, used: [[5, 100]] });
      const greaterShort = await pastBooking(tools.greater, { status: 'completed', start: '2025-10-08T01:00:00Z', minutes: 120, used: [[5, 100]] });
      const greaterLong = await pastBooking(tools.greater, { status: 'completed', start: '2025-10-09T01:00:00Z', minutes: 120, used: [[0, 90], [100, 160]] });
      for (const id of [used, bookedTime, greaterShort, greaterLong]) await emit('reservation.completed', id);
      expect(await chargesOf(used)).toMatchObject([{ kind: 'instrument_time', minutes: 95, amount: 19000 }]);
      expect(await chargesOf(bookedTime)).toMatchObject([{ minutes: 120, amount: 24000 }]);
      expect(await chargesOf(greaterShort)).toMatchObject([{ minutes: 120, amount: 24000 }]);
      expect(await chargesOf(greaterLong)).toMatchObject([{ minutes: 150, amount: 30000 }]);
    });

    it('derives each charge once, however often the event arrives', async () => {
      const id = await pastBooking(tools.booked, { status: 'completed', start: '2025-10-10T01:00:00Z', minutes: 60, used: [[0, 60]] });
      await emit('reservation.completed', id);
      await emit('reservation.completed', id);
      expect(await chargesOf(id)).toHaveLength(1);
      const [{ entries }] = await t.dataSource.query(`SELECT count(*)::int AS entries FROM audit_log WHERE entity = 'charge' AND entity_id = $1`, [(await chargesOf(id))[0].id]);
      expect(entries).toBe(1);
    });

    it('charges no-shows and late cancellations at the policy’s percentages', async () => {
      const noShow = await pastBooking(tools.penalty, { status: 'no_show', start: '2025-10-13T01:00:00Z', minutes: 90 });
      const noShowFull = await pastBooking(tools.greater, { status: 'no_show', start: '2025-10-14T01:00:00Z', minutes: 90 });
      const late = await pastBooking(tools.greater, { status: 'cancelled', start: '2025-10-15T01:00:00Z', minutes: 60, late: true });
      const timely = await pastBooking(tools.greater, { status: 'cancelled', start: '2025-10-16T01:00:00Z', minutes: 60, late: false });
      await emit('reservation.no_show', noShow);
      await emit('reservation.no_show', noShowFull);
      await emit('reservation.cancelled', late);
      await emit('reservation.cancelled', timely);
      expect(await chargesOf(noShow)).toMatchObject([{ kind: 'no_show', minutes: 90, amount: 14400 }]); // 1.5 h × ¥12,000 × 80 %
      expect(await chargesOf(noShowFull)).toMatchObject([{ kind: 'no_show', amount: 18000 }]);
      expect(await chargesOf(late)).toMatchObject([{ kind: 'late_cancellation', amount: 6000 }]); // 50 % by default
      expect(await chargesOf(timely)).toEqual([]);
    });

    it('adds staff time to assisted bookings, and never charges maintenance', async () => {
      const assisted = await pastBooking(tools.greater, { status: 'completed', start: '2025-10-20T01:00:00Z', minutes: 120, used: [[0, 120]], mode: 'assisted' });
      const maintenance = await pastBooking(tools.greater, { status: 'completed', start: '2025-10-21T01:00:00Z', minutes: 120, kind: 'maintenance' });
      await emit('reservation.completed', assisted);
      await emit('reservation.completed', maintenance);
      expect(await chargesOf(assisted)).toMatchObject([
        { kind: 'instrument_time', minutes: 120, amount: 24000 },
        { kind: 'staff_time', minutes: 120, amount: 14000 },
      ]);
      expect(await chargesOf(maintenance)).toEqual([]);
    });
  });

  describe('service request charges', () => {
    it('charges each quoted line once per request, with the quote’s tax rate, in the caller’s transaction', async () => {
      const requestId = await serviceCharges(world.orgs.a.id, world.projects.a.id, '2025-11-05T03:00:00Z', [45000, -5000], { taxRate: 8 });
      await serviceCharges(world.orgs.a.id, world.projects.a.id, '2025-11-05T03:00:00Z', [45000, -5000], { taxRate: 8, requestId });
      const rows = await t.dataSource.query(`SELECT kind, source_line, amount::int AS amount, tax_rate, description FROM charges WHERE source_id = $1 ORDER BY source_line`, [requestId]);
      expect(rows).toEqual([
        { kind: 'service', source_line: 1, amount: 45000, tax_rate: 8, description: 'KNS-SR-26-0007 XPS survey scan 1' },
        { kind: 'service', source_line: 2, amount: -5000, tax_rate: 8, description: 'KNS-SR-26-0007 XPS survey scan 2' },
      ]);
      // A rolled-back delivery leaves no charge.
      const rolledBack = randomUUID();
      await expect(
        t.dataSource.transaction(async (em) => {
          await t.app.get(BillingService).chargeServiceRequest(em, SYSTEM_ACTOR, {
            serviceRequestId: rolledBack,
            requestCode: 'KNS-SR-26-0008',
            centerId: world.centers.kns.id,
            organizationId: world.orgs.a.id,
            projectId: world.projects.a.id,
            occurredAt: new Date(),
            taxRate: 10,
            lines: [{ position: 1, description: 'SEM imaging', quantity: '2', unit: 'h', unitPrice: 10000, amount: 20000 }],
          });
          throw new Error('delivery failed');
        }),
      ).rejects.toThrow('delivery failed');
      expect(await chargesOf(rolledBack)).toEqual([]);
    });
  });

  describe('adjustments', () => {
    let original: ChargeBody;

    beforeAll(async () => {
      const id = await pastBooking(tools.booked, { status: 'completed', start: '2025-12-03T01:00:00Z', minutes: 60, used: [[0, 60]] });
      await emit('reservation.completed', id);
      [original] = await chargesOf(id);
    });

    it('refuses an adjustment without a reason, or with both or neither of amount and waive, naming the field, and changes nothing', async () => {
      const before = await t.dataSource.query('SELECT count(*)::int AS n FROM charges');
      const cases: [Record<string, unknown>, string][] = [
        [{ waive: true }, 'reason'],
        [{ amount: 5000, reason: '   ' }, 'reason'],
        [{ amount: 5000, waive: true, reason: 'Both at once' }, 'amount'],
        [{ reason: 'Neither amount nor waive' }, 'amount'],
        [{ amount: 10.5, reason: 'Fractions of a yen' }, 'amount'],
        [{ waive: false, reason: 'Not waived after all' }, 'waive'],
      ];
      for (const [body, field] of cases) {
        const res = await http().post(`/api/v1/charges/${original.id}/adjust`).set(bearer(world.tokens.staff)).send(body);
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await t.dataSource.query('SELECT count(*)::int AS n FROM charges')).toEqual(before);
    });

    it('lets only staff of the charge’s center adjust: a member is refused, other centers’ staff do not see it', async () => {
      const body = { waive: true, reason: 'Goodwill' };
      expect((await http().post(`/api/v1/charges/${original.id}/adjust`).set(bearer(world.tokens.memberA)).send(body)).status).toBe(403);
      expect((await http().post(`/api/v1/charges/${original.id}/adjust`).set(bearer(kyuStaffToken)).send(body)).status).toBe(404);
      expect((await http().get(`/api/v1/charges/${original.id}`).set(bearer(kyuStaffToken))).status).toBe(404);
    });

    it('records a correction as a new charge for the difference, linked to the original, which stays as it was', async () => {
      const corrected = await http().post(`/api/v1/charges/${original.id}/adjust`).set(bearer(world.tokens.staff)).send({ amount: 9000, reason: 'Chamber fault for 15 minutes' }).expect(201);
      expect(corrected.body).toMatchObject({ kind: 'adjustment', amount: -3000, adjustsChargeId: original.id, reason: 'Chamber fault for 15 minutes', createdBy: world.users.staff.id, invoiceId: null });
      const waived = await http().post(`/api/v1/charges/${original.id}/adjust`).set(bearer(world.tokens.admin)).send({ waive: true, reason: 'Waived: calibration run' }).expect(201);
      expect(waived.body.amount).toBe(-9000);
      const view = await http().get(`/api/v1/charges/${original.id}`).set(bearer(world.tokens.memberA)).expect(200);
      expect(view.body).toMatchObject({ amount: 12000, effectiveAmount: 0 });
      expect(view.body.adjustments.map((a: ChargeBody) => a.amount)).toEqual([-3000, -9000]);
      const nothingLeft = await http().post(`/api/v1/charges/${original.id}/adjust`).set(bearer(world.tokens.staff)).send({ waive: true, reason: 'Again' });
      expect(nothingLeft.status).toBe(400);
      const ofAdjustment = await http().post(`/api/v1/charges/${corrected.body.id}/adjust`).set(bearer(world.tokens.staff)).send({ waive: true, reason: 'Adjusting an adjustment' });
      expect(ofAdjustment.status).toBe(422);
      const audit = await http().get(`/api/v1/audit?entity=charge&id=${corrected.body.id}`).set(bearer(world.tokens.admin)).expect(200);
      expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['create']);
    });
  });

  describe('invoices', () => {
    let january: { id: string; number: string; fiscalYear: number };

    // A draft takes every uninvoiced charge up to its period's end: the earlier tests' charges
    // (2025) go on a draft of their own first, so January holds January's charges only.
    beforeAll(async () => {
      await build({ organizationId: world.orgs.a.id, period: '2025-12' }).expect(201);
    });

    it('builds a draft from the period’s uninvoiced charges only, grouped by project, tax once per rate: 3 × ¥1,005 → ¥301', async () => {
      await serviceCharges(world.orgs.a.id, world.projects.a.id, '2026-01-10T01:00:00Z', [1005, 1005]);
      await serviceCharges(world.orgs.a.id, projectA2.id, '2026-01-31T14:30:00Z', [1005]); // 31 Jan 23:30 in Tokyo
      const february = await serviceCharges(world.orgs.a.id, world.projects.a.id, '2026-01-31T15:00:00Z', [777]); // 1 Feb 00:00 in Tokyo
      const otherOrg = await serviceCharges(world.orgs.b.id, world.projects.b.id, '2026-01-15T01:00:00Z', [5000]);

      const res = await build({ organizationId: world.orgs.a.id, period: '2026-01' }).expect(201);
      expect(res.body).toMatchObject({
        kind: 'invoice',
        status: 'draft',
        number: null,
        periodStart: '2026-01-01',
        periodEnd: '2026-01-31',
        centerId: world.centers.kns.id,
        subtotal: 3015,
        tax: 301,
        total: 3316,
        taxes: [{ rate: 10, base: 3015, tax: 301 }],
        lineCount: 3,
        dueDate: '2026-02-28',
      });
      expect(res.body.groups.map((g: { projectCode: string; subtotal: number; lines: unknown[] }) => [g.projectCode, g.subtotal, g.lines.length])).toEqual([
        ['A-1', 2010, 2],
        ['A-2', 1005, 1],
      ]);
      expect(res.body.groups[1].lines[0]).toMatchObject({ date: '2026-01-31', amount: 1005, kind: 'service' });
      expect((await chargesOf(february))[0].invoiceId).toBeNull();
      expect((await chargesOf(otherOrg))[0].invoiceId).toBeNull();
      january = res.body;
    });

    it('refuses to invoice a period twice with 409 naming periodStart, and changes nothing', async () => {
      const before = await t.dataSource.query('SELECT count(*)::int AS n FROM invoices');
      for (const body of [
        { organizationId: world.orgs.a.id, period: '2026-01' },
        { organizationId: world.orgs.a.id, periodStart: '2026-01-31', periodEnd: '2026-02-10', centerId: world.centers.kns.id },
      ]) {
        const again = await build(body);
        expect(again.status).toBe(409);
        expect(again.body.errors).toEqual([{ field: 'periodStart', message: expect.stringMatching(/already invoiced/) }]);
        expect(again.body.invoiceId).toBe(january.id);
      }
      // The exclusion constraint is the guarantee when two builds race.
      await expect(
        t.dataSource.query(`INSERT INTO invoices (kind, center_id, organization_id, period_start, period_end, status) VALUES ('invoice', $1, $2, '2026-01-15', '2026-01-20', 'draft')`, [
          world.centers.kns.id,
          world.orgs.a.id,
        ]),
      ).rejects.toThrow(/ex_invoices_period/);
      expect(await t.dataSource.query('SELECT count(*)::int AS n FROM invoices')).toEqual(before);
    });

    it('refuses bad invoice requests naming the field', async () => {
      const cases: [Record<string, unknown>, string, number, string?][] = [
        [{ organizationId: world.orgs.a.id }, 'periodStart', 400],
        [{ organizationId: world.orgs.a.id, period: '2026-13' }, 'period', 400],
        [{ organizationId: world.orgs.a.id, period: '2026-03', periodStart: '2026-03-01' }, 'period', 400],
        [{ organizationId: world.orgs.a.id, periodStart: '2026-03-31', periodEnd: '2026-03-01' }, 'periodEnd', 400],
        [{ organizationId: world.orgs.a.id, periodStart: '2026-02-30', periodEnd: '2026-03-01' }, 'periodStart', 400],
        [{ organizationId: '00000000-0000-4000-8000-000000000000', period: '2026-03' }, 'organizationId', 400],
        [{ organizationId: world.orgs.a.id, period: '2026-03' }, 'centerId', 400, world.tokens.admin],
        [{ organizationId: world.orgs.a.id, period: '2026-03', dueDate: '2026-03-15' }, 'dueDate', 400],
        [{ organizationId: world.orgs.a.id, period: '2020-03' }, 'periodStart', 422],
      ];
      for (const [body, field, status, token] of cases) {
        const res = await build(body, token);
        expect({ field, status: res.status }).toEqual({ field, status });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect((await build({ organizationId: world.orgs.a.id, period: '2026-03' }, world.tokens.memberA)).status).toBe(403);
      expect((await build({ organizationId: world.orgs.a.id, period: '2026-03', centerId: world.centers.kns.id }, kyuStaffToken)).status).toBe(403);
    });

    it('keeps drafts from members, lets staff edit them, and discarding one makes its charges uninvoiced again', async () => {
      expect((await http().get(`/api/v1/invoices/${january.id}`).set(bearer(world.tokens.memberA))).status).toBe(404);
      const list = await http().get('/api/v1/invoices').set(bearer(world.tokens.memberA)).expect(200);
      expect(list.body.items).toEqual([]);

      const feb = await build({ organizationId: world.orgs.a.id, period: '2026-02' }).expect(201);
      expect(feb.body.total).toBe(854); // ¥777 + 10 %, rounded down
      const edited = await http().patch(`/api/v1/invoices/${feb.body.id}`).set(bearer(world.tokens.staff)).send({ dueDate: '2026-04-15', notes: 'PO 4500012345' }).expect(200);
      expect(edited.body).toMatchObject({ dueDate: '2026-04-15', notes: 'PO 4500012345' });
      const discarded = await http().delete(`/api/v1/invoices/${feb.body.id}`).set(bearer(world.tokens.staff)).expect(200);
      expect(discarded.body.status).toBe('discarded');
      expect(discarded.body.groups).toEqual([]);
      expect((await charges(`uninvoiced=true&from=2026-02-01&to=2026-02-28&organizationId=${world.orgs.a.id}`).expect(200)).body.items.map((c: ChargeBody) => c.amount)).toEqual([777]);
      // The period is free again, and a discarded draft is final.
      const rebuilt = await build({ organizationId: world.orgs.a.id, period: '2026-02' }).expect(201);
      expect((await act(discarded.body.id, 'issue')).status).toBe(422);
      await http().delete(`/api/v1/invoices/${rebuilt.body.id}`).set(bearer(world.tokens.staff)).expect(200);
    });

    it('moves a draft’s totals when a charge on it is adjusted during review', async () => {
      const id = await pastBooking(tools.booked, { status: 'completed', start: '2025-09-10T01:00:00Z', minutes: 60, used: [[0, 60]] });
      await emit('reservation.completed', id);
      const draft = await build({ organizationId: world.orgs.a.id, period: '2025-09' }).expect(201);
      expect(draft.body).toMatchObject({ subtotal: 12000, tax: 1200, total: 13200 });
      const [charge] = await chargesOf(id);
      const adjustment = await http().post(`/api/v1/charges/${charge.id}/adjust`).set(bearer(world.tokens.staff)).send({ amount: 10005, reason: 'Rate agreed in PO' }).expect(201);
      expect(adjustment.body.invoiceId).toBe(draft.body.id);
      const reviewed = await http().get(`/api/v1/invoices/${draft.body.id}`).set(bearer(world.tokens.staff)).expect(200);
      expect(reviewed.body).toMatchObject({ subtotal: 10005, tax: 1000, total: 11005, lineCount: 2 });
    });

    it('issues with a gapless number, freezes the invoice, and mails the organization’s members', async () => {
      const issued = await act(january.id, 'issue').expect(200);
      const fiscalYear = await knsFiscalYear(issued.body.issuedAt);
      const number = invoiceNumber('KNS', fiscalYear, 1);
      expect(issued.body).toMatchObject({ status: 'issued', number, fiscalYear, sequence: 1, total: 3316, issuedBy: world.users.staff.id });
      january = issued.body;
      expect((await act(january.id, 'issue')).status).toBe(422);

      const mail = await eventually(async () => {
        const [row] = await t.dataSource.query(`SELECT recipient, subject FROM sent_mails WHERE recipient = 'a@alpha.test' AND subject LIKE $1`, [`%${number}%`]);
        return row;
      });
      expect(mail.subject).toContain('請求書');
      const [outbox] = await t.dataSource.query(`SELECT payload FROM outbox WHERE job_name = 'send-mail' AND payload->>'template' = 'invoice-issued' AND payload->'data'->>'invoiceId' = $1`, [january.id]);
      expect(outbox.payload.data).toEqual({ number, kind: 'invoice', total: '¥3,316', dueDate: '2026-02-28', invoiceId: january.id, organization: 'アルファデバイス株式会社' });

      const audit = await http().get(`/api/v1/audit?entity=invoice&id=${january.id}`).set(bearer(world.tokens.admin)).expect(200);
      expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['issue', 'create']);
    });

    it('refuses to edit an issued invoice with a clear problem, and changes nothing', async () => {
      const [before] = await t.dataSource.query('SELECT due_date::text, notes, updated_at FROM invoices WHERE id = $1', [january.id]);
      const res = await http().patch(`/api/v1/invoices/${january.id}`).set(bearer(world.tokens.staff)).send({ dueDate: '2026-03-31' });
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 409, currentStatus: 'issued', errors: [{ field: 'dueDate', message: expect.stringMatching(/credit note/) }] });
      expect((await http().delete(`/api/v1/invoices/${january.id}`).set(bearer(world.tokens.staff))).status).toBe(422);
      expect(await t.dataSource.query('SELECT due_date::text, notes, updated_at FROM invoices WHERE id = $1', [january.id])).toEqual([before]);
    });

    it('bills what is recorded for January after January was invoiced on the next invoice, under its own dates', async () => {
      // A no-show of 20 January marked after the invoice went out, and a correction of an invoiced January charge.
      const noShow = await pastBooking(tools.penalty, { status: 'no_show', start: '2026-01-20T01:00:00Z', minutes: 60 });
      await emit('reservation.no_show', noShow);
      const [invoiced] = await t.dataSource.query(`SELECT id FROM charges WHERE invoice_id = $1 AND project_id = $2 ORDER BY id LIMIT 1`, [january.id, world.projects.a.id]);
      const adjustment = await http().post(`/api/v1/charges/${invoiced.id}/adjust`).set(bearer(world.tokens.staff)).send({ amount: 905, reason: 'Agreed price for the scan' }).expect(201);
      expect(adjustment.body).toMatchObject({ amount: -100, invoiceId: null, occurredAt: '2026-01-10T01:00:00.000Z' });

      const february = await build({ organizationId: world.orgs.a.id, period: '2026-02' }).expect(201);
      const lines = february.body.groups.flatMap((g: { lines: { date: string; kind: string; amount: number }[] }) => g.lines.map((l) => [l.date, l.kind, l.amount]));
      expect(lines).toEqual([
        ['2026-01-10', 'adjustment', -100],
        ['2026-01-20', 'no_show', 9600], // 1 h × ¥12,000 × 80 %
        ['2026-02-01', 'service', 777],
      ]);
      expect(february.body).toMatchObject({ subtotal: 10277, lineCount: 3 });
      // The issued January invoice is as it was.
      expect((await http().get(`/api/v1/invoices/${january.id}`).set(bearer(world.tokens.staff)).expect(200)).body).toMatchObject({ total: 3316, lineCount: 3 });
    });

    it('refuses, in the database itself, a second invoice for a charge and any edit of an issued invoice or a charge', async () => {
      const [onIssued] = await t.dataSource.query('SELECT id FROM charges WHERE invoice_id = $1 LIMIT 1', [january.id]);
      const other = await serviceCharges(world.orgs.a.id, world.projects.a.id, '2026-03-05T01:00:00Z', [2000]);
      const march = await build({ organizationId: world.orgs.a.id, period: '2026-03' }).expect(201);
      await expect(t.dataSource.query('UPDATE charges SET invoice_id = $2 WHERE id = $1', [onIssued.id, march.body.id])).rejects.toThrow(/invoiced at most once/);
      await expect(t.dataSource.query('UPDATE charges SET invoice_id = NULL WHERE id = $1', [onIssued.id])).rejects.toThrow(/invoiced at most once/);
      await expect(t.dataSource.query('UPDATE charges SET amount = 1 WHERE id = $1', [onIssued.id])).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query('DELETE FROM charges WHERE id = $1', [onIssued.id])).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`UPDATE invoices SET total = 0, subtotal = 0, tax = 0 WHERE id = $1`, [january.id])).rejects.toThrow(/never edited/);
      await expect(t.dataSource.query(`UPDATE invoices SET due_date = '2026-12-31' WHERE id = $1`, [january.id])).rejects.toThrow(/never edited/);
      await expect(t.dataSource.query('DELETE FROM invoices WHERE id = $1', [january.id])).rejects.toThrow(/never deleted/);
      // Another organization's charge never joins this draft either.
      const [foreign] = await t.dataSource.query('SELECT id FROM charges WHERE organization_id = $1 AND invoice_id IS NULL LIMIT 1', [world.orgs.b.id]);
      await expect(t.dataSource.query('UPDATE charges SET invoice_id = $2 WHERE id = $1', [foreign.id, march.body.id])).rejects.toThrow(/another organization/);
      expect((await chargesOf(other))[0].invoiceId).toBe(march.body.id);
      await http().delete(`/api/v1/invoices/${march.body.id}`).set(bearer(world.tokens.staff)).expect(200);
    });

    it('prints the stored totals in Japanese: 請求書, 登録番号 T…, lines grouped by project, ¥301 tax and ¥3,316', async () => {
      const res = await pdf(january.id, world.tokens.memberA).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain(`invoice-${january.number}.pdf`);
      const [doc] = await extractText([res.body as Buffer]);
      const text = doc.pages.join('\n');
      for (const expected of ['請求書', january.number, '登録番号', REGISTRATION, 'アルファデバイス株式会社', 'A-1', 'A-2', 'Alpha SiC power', '分析サービス', '¥301', '¥3,316', '¥3,015', '10%']) {
        expect({ expected, found: text.includes(expected) }).toEqual({ expected, found: true });
      }
      expect(text.indexOf('A-1')).toBeLessThan(text.indexOf('A-2'));
      expect(text).not.toContain('¥300');
    });

    it('prints it in English on request, and never another organization’s invoice', async () => {
      const res = await pdf(january.id, world.tokens.staff, 'en').expect(200);
      const [doc] = await extractText([res.body as Buffer]);
      const text = doc.pages.join('\n');
      for (const expected of ['Invoice', january.number, 'Registration', REGISTRATION, 'Alpha Devices K.K.', 'Analysis service', '¥301', '¥3,316']) {
        expect({ expected, found: text.includes(expected) }).toEqual({ expected, found: true });
      }
      expect((await pdf(january.id, world.tokens.memberB)).status).toBe(404);
      expect((await pdf(january.id, world.tokens.staff, 'fr')).status).toBe(400);
      expect((await http().get('/api/v1/invoices/not-a-uuid.pdf').set(bearer(world.tokens.staff))).status).toBe(400);
    });

    it('hides another organization’s invoices and charges: 404 by id, absent from lists', async () => {
      expect((await http().get(`/api/v1/invoices/${january.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
      const listB = await http().get('/api/v1/invoices').set(bearer(world.tokens.memberB)).expect(200);
      expect(listB.body.items).toEqual([]);
      const listA = await http().get('/api/v1/invoices').set(bearer(world.tokens.memberA)).expect(200);
      expect(listA.body.items.map((i: { id: string }) => i.id)).toEqual([january.id]);
      const [chargeA] = await t.dataSource.query('SELECT id FROM charges WHERE invoice_id = $1 LIMIT 1', [january.id]);
      expect((await http().get(`/api/v1/charges/${chargeA.id}`).set(bearer(world.tokens.memberB))).status).toBe(404);
      const chargesB = await charges('limit=500', world.tokens.memberB).expect(200);
      expect(chargesB.body.items.every((c: { organizationId: string }) => c.organizationId === world.orgs.b.id)).toBe(true);
      const filtered = await charges(`organizationId=${world.orgs.a.id}`, world.tokens.memberB).expect(200);
      expect(filtered.body.items).toEqual([]);
      expect((await http().get(`/api/v1/invoices/${january.id}`).set(bearer(kyuStaffToken))).status).toBe(404);
    });

    it('records the payment of an issued invoice', async () => {
      expect((await act(january.id, 'pay', { paidAt: '2030-01-01T00:00:00+09:00' })).status).toBe(400);
      expect((await act(january.id, 'pay', {}, world.tokens.memberA)).status).toBe(403);
      const paid = await act(january.id, 'pay', { paidAt: new Date().toISOString() }).expect(200);
      expect(paid.body).toMatchObject({ status: 'paid', paidRecordedBy: world.users.staff.id });
      expect((await act(january.id, 'pay')).status).toBe(422);
    });

    it('corrects an issued invoice with a credit note in the same number series, and makes its charges billable again', async () => {
      expect((await act(january.id, 'credit-note', {})).status).toBe(400);
      const credit = await act(january.id, 'credit-note', { reason: 'Wrong project on one line' }).expect(201);
      expect(credit.body).toMatchObject({
        kind: 'credit_note',
        status: 'issued',
        creditForId: january.id,
        creditForNumber: january.number,
        subtotal: -3015,
        tax: -301,
        total: -3316,
        taxes: [{ rate: 10, base: -3015, tax: -301 }],
      });
      const creditYear = await knsFiscalYear(credit.body.issuedAt);
      const sequence = creditYear === january.fiscalYear ? 2 : 1;
      expect(credit.body).toMatchObject({ number: invoiceNumber('KNS', creditYear, sequence), sequence, fiscalYear: creditYear });
      expect(credit.body.groups.flatMap((g: { lines: { amount: number }[] }) => g.lines.map((l) => l.amount))).toEqual([-1005, -1005, -1005]);
      const original = await http().get(`/api/v1/invoices/${january.id}`).set(bearer(world.tokens.memberA)).expect(200);
      expect(original.body).toMatchObject({ status: 'credited', creditNoteId: credit.body.id });
      expect((await act(january.id, 'credit-note', { reason: 'Twice' })).status).toBe(422);

      const copies = await t.dataSource.query(
        `SELECT c.id, c.amount::int AS amount, c.invoice_id, o.invoice_id AS original_invoice FROM charges c JOIN charges o ON o.id = c.reissue_of_id WHERE o.invoice_id = $1`,
        [january.id],
      );
      expect(copies).toHaveLength(3);
      expect(copies.every((c: { invoice_id: string | null; original_invoice: string }) => c.invoice_id === null && c.original_invoice === january.id)).toBe(true);

      const corrected = await build({ organizationId: world.orgs.a.id, period: '2026-01' }).expect(201);
      expect(corrected.body).toMatchObject({ status: 'draft', total: 3316, lineCount: 3 });
      const creditPdf = await pdf(credit.body.id, world.tokens.memberA).expect(200);
      const [doc] = await extractText([creditPdf.body as Buffer]);
      expect(doc.pages.join('\n')).toContain('-¥3,316');
      await eventually(async () => (await t.dataSource.query(`SELECT 1 FROM sent_mails WHERE subject LIKE $1`, [`%${credit.body.number}%`]))[0]);
    });

    it('corrects a charge of a credited invoice only through its re-issue copy, so a correction is billed once', async () => {
      const [charge] = await t.dataSource.query(
        `SELECT c.id, copy.id AS copy_id, copy.invoice_id AS copy_invoice_id FROM charges c JOIN charges copy ON copy.reissue_of_id = c.id WHERE c.invoice_id = $1 ORDER BY c.id LIMIT 1`,
        [january.id],
      );
      const before = await t.dataSource.query('SELECT count(*)::int AS n FROM charges');
      const refused = await http().post(`/api/v1/charges/${charge.id}/adjust`).set(bearer(world.tokens.staff)).send({ amount: 500, reason: 'Agreed discount' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ reissuedChargeId: charge.copy_id, errors: [{ field: 'id', message: `re-issued as charge ${charge.copy_id}` }] });
      expect(await t.dataSource.query('SELECT count(*)::int AS n FROM charges')).toEqual(before);
      const corrected = await http().post(`/api/v1/charges/${charge.copy_id}/adjust`).set(bearer(world.tokens.staff)).send({ amount: 500, reason: 'Agreed discount' }).expect(201);
      expect(corrected.body).toMatchObject({ adjustsChargeId: charge.copy_id, invoiceId: charge.copy_invoice_id });
    });

    it('numbers invoices issued in parallel consecutively, with no gaps and no duplicates', async () => {
      const months = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'];
      const drafts: string[] = [];
      for (const month of months) {
        await serviceCharges(world.orgs.b.id, world.projects.b.id, `${month}-10T01:00:00Z`, [10000]);
        drafts.push((await build({ organizationId: world.orgs.b.id, period: month }).expect(201)).body.id);
      }
      const issued = await Promise.all(drafts.map((id) => act(id, 'issue')));
      expect(issued.map((r) => r.status)).toEqual(months.map(() => 200));
      const years = [...new Set(await Promise.all(issued.map((r) => knsFiscalYear(r.body.issuedAt))))];
      expect(years).toHaveLength(1);
      const [fiscalYear] = years;
      const [{ numbers }] = await t.dataSource.query(`SELECT array_agg(sequence ORDER BY sequence) AS numbers FROM invoices WHERE center_id = $1 AND fiscal_year = $2`, [world.centers.kns.id, fiscalYear]);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
      expect(issued.map((r) => r.body.number).sort()).toEqual([...numbers.slice(-months.length)].map((n: number) => invoiceNumber('KNS', fiscalYear, n)));
      const [{ last_value }] = await t.dataSource.query('SELECT last_value FROM invoice_counters WHERE center_id = $1 AND fiscal_year = $2', [world.centers.kns.id, fiscalYear]);
      expect(last_value).toBe(numbers.length);
    });
  });
});
