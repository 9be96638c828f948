import { SYSTEM_ACTOR } from '../src/common/auth/actor';
import { LocationsService } from '../src/locations/locations.service';
import { DEMO_CENTER } from '../src/seed/demo-data';
import { SeedService } from '../src/seed/seed.service';
import { createTestApp, TestApp } from './support/test-app';

describe('demo data', () => {
  const count = async (t: TestApp) =>
    (
      await t.dataSource.query(
        `SELECT (SELECT count(*) FROM equipment)::int AS tools, (SELECT count(*) FROM locations)::int AS places,
                (SELECT count(*) FROM samples)::int AS samples, (SELECT count(*) FROM handover_targets WHERE is_default)::int AS targets`,
      )
    )[0];

  describe('on a fresh database', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { DEMO_SEED: 'true' } });
    });
    afterAll(() => t.close());

    it('seeds the demo center, storage, samples and a drop-folder target once, and a second start changes nothing', async () => {
      const seed = t.app.get(SeedService);
      expect(await seed.onStart()).toEqual({ demoSeeded: true });
      expect(await count(t)).toEqual({ tools: 6, places: 8, samples: 2, targets: 1 });
      const [wafer] = await t.dataSource.query(`SELECT s.state, l.name AS place FROM samples s JOIN locations l ON l.id = s.location_id WHERE s.name = 'GaN-on-Si wafer W07'`);
      expect(wafer).toEqual({ state: 'available', place: 'A1-1' });
      const label = await seed.demoLabel();
      expect(label).toMatch(/^[0-9A-Z]{10}$/);
      expect((await t.http().get(`/S/${label}`)).status).toBe(200);

      expect(await seed.onStart()).toEqual({ demoSeeded: false });
      expect(await count(t)).toEqual({ tools: 6, places: 8, samples: 2, targets: 1 });
    });
  });

  describe('after a start cut short', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { DEMO_SEED: 'true' } });
    });
    afterAll(() => t.close());

    it('finishes the storage and samples stage that stopped after its first location', async () => {
      const seed = t.app.get(SeedService);
      await seed.seedDemo();
      const [center] = await t.dataSource.query(`SELECT id FROM centers WHERE code = $1`, [DEMO_CENTER.code]);
      await t.app.get(LocationsService).create(SYSTEM_ACTOR, { centerId: center.id, name: 'Cleanroom A', kind: 'room' });

      await seed.onStart();
      expect(await count(t)).toEqual({ tools: 6, places: 8, samples: 2, targets: 1 });
      const [wafer] = await t.dataSource.query(`SELECT s.state, l.name AS place FROM samples s JOIN locations l ON l.id = s.location_id WHERE s.name = 'GaN-on-Si wafer W07'`);
      expect(wafer).toEqual({ state: 'available', place: 'A1-1' });
    });
  });
});
