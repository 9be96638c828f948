import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIGURED_FOLDER_TARGET, CONFIGURED_HTTP_TARGET } from '../src/handovers/handovers.service';
import { SeedService } from '../src/seed/seed.service';
import { eventually } from './support/eventually';
import { bearer, seedWorld, World } from './support/fixtures';
import { registerFilm, uploadShareableDataset } from './support/handover-fixtures';
import { ReferenceReceiver } from './support/reference-receiver';
import { createTestApp, TestApp } from './support/test-app';

const SECRET = 'a-shared-secret-for-the-configured-target';
const OTHER_SECRET = 'another-shared-secret-for-the-configured-target';

/**
 * HANDOVER_HTTP_URL + HANDOVER_HTTP_SECRET and HANDOVER_FOLDER set up the handover targets at
 * start: created the first time, left alone when nothing changed, updated when the settings did.
 */
describe('handover targets from the configuration', () => {
  let t: TestApp;
  let world: World;
  let receiver: ReferenceReceiver;
  const folder = mkdtempSync(join(tmpdir(), 'foundry-configured-dropbox-'));

  beforeAll(async () => {
    receiver = new ReferenceReceiver(OTHER_SECRET);
    t = await createTestApp({ worker: true, env: { HANDOVER_HTTP_URL: 'http://127.0.0.1:9/dx', HANDOVER_HTTP_SECRET: SECRET, HANDOVER_FOLDER: folder } });
    world = await seedWorld(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const start = () => t.app.get(SeedService).onStart();
  type Target = { id: string; name: string; kind: string; url: string | null; folder: string | null; isDefault: boolean };
  const targets = async () => {
    const list = (await t.http().get('/api/v1/handover-targets').set(bearer(world.tokens.admin)).expect(200)).body as Target[];
    return { list, http: list.find((target) => target.name === CONFIGURED_HTTP_TARGET)!, folder: list.find((target) => target.name === CONFIGURED_FOLDER_TARGET)! };
  };
  const auditCount = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM audit_log WHERE entity = 'handover_target'`))[0].n);

  it('creates the default HTTP target and a folder target at start, and changes nothing on the next start', async () => {
    await start();
    const created = await targets();
    expect(created.list).toHaveLength(2);
    expect(created.http).toMatchObject({ kind: 'http', url: 'http://127.0.0.1:9/dx', isDefault: true });
    expect(created.folder).toMatchObject({ kind: 'folder', folder, isDefault: false });
    expect(created.http).not.toHaveProperty('secret');
    const entries = await auditCount();
    await start();
    expect((await targets()).list).toEqual(created.list);
    expect(await auditCount()).toBe(entries);
  });

  it('updates the HTTP target when its settings change, and hands over to it by default', async () => {
    const { http: before } = await targets();
    t.config.handoverHttpUrl = await receiver.start();
    t.config.handoverHttpSecret = OTHER_SECRET;
    await start();
    const { http: after } = await targets();
    expect(after).toMatchObject({ id: before.id, url: t.config.handoverHttpUrl, isDefault: true });

    const dataset = await uploadShareableDataset(t, world, await registerFilm(t, world), Buffer.from('counts'));
    const handover = (await t.http().post(`/api/v1/datasets/${dataset.id}/handover`).set(bearer(world.tokens.memberA)).send({}).expect(201)).body as { id: string; targetId: string };
    expect(handover.targetId).toBe(before.id);
    // Delivered means the new secret signed it: the receiver checks the signature.
    await eventually(async () => (await t.http().get(`/api/v1/handovers/${handover.id}`).set(bearer(world.tokens.memberA))).body.state === 'delivered', 20_000);
    expect(receiver.accepted(dataset.seriesId)).toHaveLength(1);
  });
});
