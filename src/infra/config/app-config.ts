import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every setting the service reads, validated once at start. `.env.example` documents each. */
export interface AppConfig {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  /** The PostgreSQL the service uses; for the embedded default it is filled in once the server runs. */
  databaseUrl: string;
  /** True when `DATABASE_URL` was unset and an embedded PostgreSQL serves the data. */
  embeddedDatabase: boolean;
  embeddedPostgresPort: number;
  redisUrl: string | null;
  jwtSecret: string;
  jwtExpiresInSeconds: number;
  adminEmail: string | null;
  adminPassword: string | null;
  demoSeed: boolean;
  smtpUrl: string | null;
  mailFrom: string;
  workerConcurrency: number;
  logLevel: LogLevel;
  corsOrigins: string[];
  rateLimitPerMinute: number;
  loginLimitPerAccount: number;
  loginLimitPerIp: number;
  outboxPollMs: number;
  shutdownTimeoutMs: number;
  /** Largest file a dataset upload accepts, in bytes; a larger one is refused with 413. */
  datasetMaxFileBytes: number;
  /** How long a handover job's lock lasts without renewal: after a worker dies, its job runs again this much later. */
  workerLockMs: number;
  /** How often a worker checks that the queue still holds the jobs and schedulers it should (after a queue store lost its data). */
  queueRecoveryMs: number;
  /** Base delay of the jobs' exponential retry backoff: the wait after the first failure, doubling after each further one. */
  jobBackoffMs: number;
  /** The DX platform's base URL and shared secret: the default HTTP handover target, created or updated at start. */
  handoverHttpUrl: string | null;
  handoverHttpSecret: string | null;
  /** A drop folder handover target (absolute path), created or updated at start; the default when no HTTP target is set. */
  handoverFolder: string | null;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export const DEFAULT_WORKER_LOCK_MS = 30_000;

/** JOB_BACKOFF_MS unset: 2 s, then 4 s, 8 s … (a handover's 14 attempts span about 4.5 hours). */
export const DEFAULT_JOB_BACKOFF_MS = 2000;

/**
 * WORKER_LOCK_MS for the worker decorators, which are evaluated when their module is imported,
 * before the configuration is loaded (loadConfig validates the same variable and stops a bad
 * value with its one-line message).
 */
export function workerLockMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.WORKER_LOCK_MS);
  return Number.isInteger(value) && value >= 1000 && value <= 600_000 ? value : DEFAULT_WORKER_LOCK_MS;
}

/** A setting that cannot be used; its message is the one line printed before start-up stops. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${setting} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = text(env, name);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  if (!parsed.hostname && parsed.protocol !== 'file:') throw new ConfigError(name, 'has no host');
  return raw;
}

/**
 * The embedded default keeps a generated JWT secret under DATA_DIR so that tokens survive a
 * restart; every other deployment must set JWT_SECRET itself.
 */
function embeddedJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const dataDirRaw = text(env, 'DATA_DIR') ?? './var';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(process.cwd(), dataDirRaw);
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const embeddedDatabase = databaseUrl === null;
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;

  let jwtSecret = text(env, 'JWT_SECRET');
  if (jwtSecret !== null && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', `must be at least 32 bytes long, got ${Buffer.byteLength(jwtSecret)}`);
  }
  if (jwtSecret !== null && /^change-me/i.test(jwtSecret)) {
    throw new ConfigError('JWT_SECRET', 'is still the placeholder; set a secret of at least 32 random bytes');
  }
  if (jwtSecret === null) {
    if (!embeddedDatabase) throw new ConfigError('JWT_SECRET', 'is required when DATABASE_URL is set (at least 32 bytes)');
    jwtSecret = embeddedJwtSecret(dataDir);
  }

  const adminEmail = text(env, 'ADMIN_EMAIL');
  const adminPassword = text(env, 'ADMIN_PASSWORD');
  if ((adminEmail === null) !== (adminPassword === null)) {
    throw new ConfigError(adminEmail === null ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD', 'must be set together with the other');
  }
  if (adminEmail !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', `is not an e-mail address`);
  }
  if (adminPassword !== null && adminPassword.length < 12) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 12 characters long');
  }

  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const corsOrigins = (text(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) url({ CORS_ORIGINS: origin }, 'CORS_ORIGINS', ['http:', 'https:']);

  const handoverHttpUrl = url(env, 'HANDOVER_HTTP_URL', ['http:', 'https:']);
  const handoverHttpSecret = text(env, 'HANDOVER_HTTP_SECRET');
  if ((handoverHttpUrl === null) !== (handoverHttpSecret === null)) {
    throw new ConfigError(handoverHttpUrl === null ? 'HANDOVER_HTTP_URL' : 'HANDOVER_HTTP_SECRET', 'must be set together with the other');
  }
  if (handoverHttpUrl !== null && handoverHttpUrl.length > 500) throw new ConfigError('HANDOVER_HTTP_URL', 'must be at most 500 characters long');
  if (handoverHttpSecret !== null && (handoverHttpSecret.length < 32 || handoverHttpSecret.length > 200)) {
    throw new ConfigError('HANDOVER_HTTP_SECRET', `must be 32 to 200 characters long, got ${handoverHttpSecret.length}`);
  }
  const handoverFolderRaw = text(env, 'HANDOVER_FOLDER');
  const handoverFolder = handoverFolderRaw === null ? null : isAbsolute(handoverFolderRaw) ? handoverFolderRaw : resolve(process.cwd(), handoverFolderRaw);
  if (handoverFolder !== null && handoverFolder.length > 500) throw new ConfigError('HANDOVER_FOLDER', 'must be at most 500 characters long');

  return {
    port,
    host: text(env, 'HOST') ?? '0.0.0.0',
    publicUrl: publicUrl.replace(/\/+$/, ''),
    dataDir,
    databaseUrl: databaseUrl ?? '',
    embeddedDatabase,
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    jwtSecret,
    jwtExpiresInSeconds: 3600,
    adminEmail: adminEmail?.toLowerCase() ?? null,
    adminPassword,
    demoSeed: boolean(env, 'DEMO_SEED', embeddedDatabase),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: text(env, 'MAIL_FROM') ?? 'Foundry Hub <no-reply@foundry-hub.local>',
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 256),
    logLevel,
    corsOrigins,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 6000, 1, 1_000_000),
    loginLimitPerAccount: integer(env, 'LOGIN_LIMIT_PER_ACCOUNT', 10, 1, 1_000_000),
    loginLimitPerIp: integer(env, 'LOGIN_LIMIT_PER_IP', 60, 1, 1_000_000),
    outboxPollMs: integer(env, 'OUTBOX_POLL_MS', 500, 10, 60_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    datasetMaxFileBytes: integer(env, 'DATASET_MAX_FILE_BYTES', 5 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    workerLockMs: integer(env, 'WORKER_LOCK_MS', DEFAULT_WORKER_LOCK_MS, 1000, 600_000),
    queueRecoveryMs: integer(env, 'QUEUE_RECOVERY_MS', 60_000, 200, 3_600_000),
    jobBackoffMs: integer(env, 'JOB_BACKOFF_MS', DEFAULT_JOB_BACKOFF_MS, 1, 600_000),
    handoverHttpUrl,
    handoverHttpSecret,
    handoverFolder,
  };
}
