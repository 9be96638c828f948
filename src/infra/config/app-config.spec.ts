import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const SECRET = 'x'.repeat(32);
const production = { DATABASE_URL: 'postgres://hub@db:5432/hub', JWT_SECRET: SECRET };

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig(production);
    expect(config).toMatchObject({ port: 3000, embeddedDatabase: false, redisUrl: null, demoSeed: false, rateLimitPerMinute: 6000, jwtExpiresInSeconds: 3600, logLevel: 'info' });
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('names the setting in one line when a value is wrong', () => {
    expect(problem({ ...production, PORT: 'abc' })).toBe('Invalid configuration: PORT must be a whole number, got "abc"');
    expect(problem({ ...production, PORT: '70000' })).toMatch(/^Invalid configuration: PORT must be between 0 and 65535/);
    expect(problem({ ...production, DATABASE_URL: 'mysql://db/hub' })).toMatch(/^Invalid configuration: DATABASE_URL must start with postgres:\/\//);
    expect(problem({ ...production, DATABASE_URL: 'not a url' })).toBe('Invalid configuration: DATABASE_URL is not a valid URL');
    expect(problem({ ...production, JWT_SECRET: 'short' })).toBe('Invalid configuration: JWT_SECRET must be at least 32 bytes long, got 5');
    expect(problem({ ...production, JWT_SECRET: 'change-me-to-a-secret-of-at-least-32-bytes' })).toMatch(/JWT_SECRET is still the placeholder/);
    expect(problem({ DATABASE_URL: production.DATABASE_URL })).toMatch(/^Invalid configuration: JWT_SECRET is required when DATABASE_URL is set/);
    expect(problem({ ...production, REDIS_URL: 'http://cache' })).toMatch(/REDIS_URL must start with redis:\/\//);
    expect(problem({ ...production, DEMO_SEED: 'perhaps' })).toMatch(/DEMO_SEED must be true or false/);
    expect(problem({ ...production, LOG_LEVEL: 'loud' })).toMatch(/LOG_LEVEL must be one of/);
    expect(problem({ ...production, ADMIN_EMAIL: 'root@hub.example' })).toMatch(/ADMIN_PASSWORD must be set together/);
    expect(problem({ ...production, ADMIN_EMAIL: 'root@hub.example', ADMIN_PASSWORD: 'short' })).toMatch(/ADMIN_PASSWORD must be at least 12/);
    expect(problem({ ...production, CORS_ORIGINS: 'https://ok.example, nonsense' })).toMatch(/CORS_ORIGINS is not a valid URL/);
  });

  it('reads the configured handover targets: the HTTP URL and secret together, the folder made absolute', () => {
    expect(loadConfig(production)).toMatchObject({ handoverHttpUrl: null, handoverHttpSecret: null, handoverFolder: null });
    const config = loadConfig({ ...production, HANDOVER_HTTP_URL: 'https://dx.example.jp/api', HANDOVER_HTTP_SECRET: SECRET, HANDOVER_FOLDER: 'var/dx-dropbox' });
    expect(config).toMatchObject({ handoverHttpUrl: 'https://dx.example.jp/api', handoverHttpSecret: SECRET, handoverFolder: join(process.cwd(), 'var', 'dx-dropbox') });
    expect(problem({ ...production, HANDOVER_HTTP_URL: 'https://dx.example.jp/api' })).toBe('Invalid configuration: HANDOVER_HTTP_SECRET must be set together with the other');
    expect(problem({ ...production, HANDOVER_HTTP_SECRET: SECRET })).toBe('Invalid configuration: HANDOVER_HTTP_URL must be set together with the other');
    expect(problem({ ...production, HANDOVER_HTTP_URL: 'ftp://dx.example.jp', HANDOVER_HTTP_SECRET: SECRET })).toMatch(/HANDOVER_HTTP_URL must start with http:\/\/ or https:\/\//);
    expect(problem({ ...production, HANDOVER_HTTP_URL: 'https://dx.example.jp/api', HANDOVER_HTTP_SECRET: 'short' })).toBe('Invalid configuration: HANDOVER_HTTP_SECRET must be 32 to 200 characters long, got 5');
  });

  it('runs the embedded default without settings, keeping a generated JWT secret under DATA_DIR', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fh-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.embeddedDatabase).toBe(true);
    expect(first.demoSeed).toBe(true);
    expect(Buffer.byteLength(first.jwtSecret)).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(first.jwtSecret);
    expect(loadConfig({ DATA_DIR: dataDir }).jwtSecret).toBe(first.jwtSecret);
  });
});
