import { bearer, World } from './fixtures';
import { ReferenceReceiver } from './reference-receiver';
import { TestApp } from './test-app';

/** Both queue backends when Redis is there (CI), PostgreSQL's alone otherwise. */
export const QUEUE_BACKENDS: ('postgres' | 'redis')[] = process.env.REDIS_URL ? ['postgres', 'redis'] : ['postgres'];

export interface UploadedDataset {
  id: string;
  seriesId: string;
  version: number;
}

/** A reference receiver, started and registered (by the admin) as the default HTTP handover target. */
export async function startReceiverTarget(t: TestApp, world: World, secret: string): Promise<{ receiver: ReferenceReceiver; target: { id: string } }> {
  const receiver = new ReferenceReceiver(secret);
  const url = await receiver.start();
  const target = (await t.http().post('/api/v1/handover-targets').set(bearer(world.tokens.admin)).send({ name: 'DX platform', kind: 'http', url, secret, default: true }).expect(201))
    .body as { id: string };
  return { receiver, target };
}

/** A film sample of organization A, registered by its member. */
export async function registerFilm(t: TestApp, world: World): Promise<string> {
  return (await t.http().post('/api/v1/samples').set(bearer(world.tokens.memberA)).send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: 'Film', form: 'film' }).expect(201))
    .body.id as string;
}

/**
 * A dataset that may leave (shared, export control `not-applicable`) of one sample, uploaded by
 * member A: one file `scan.raw` with `data`, and any metadata overrides in `extra`.
 */
export async function uploadShareableDataset(t: TestApp, world: World, sampleId: string, data: Buffer, extra: Record<string, unknown> = {}): Promise<UploadedDataset> {
  const metadata = { title: 'XRR', technique: 'XRR', sampleIds: [sampleId], equipmentId: world.tools[0].id, measuredAt: new Date().toISOString(), accessClass: 'shared', exportControl: 'not-applicable', ...extra };
  return (await t.http().post('/api/v1/datasets').set(bearer(world.tokens.memberA)).attach('files', data, 'scan.raw').field('metadata', JSON.stringify(metadata)).expect(201)).body as UploadedDataset;
}
