import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { SYSTEM_ACTOR } from './common/auth/actor';
import { AppError } from './common/errors/app-error';
import { AppConfig, ConfigError, loadConfig } from './infra/config/app-config';
import { startEmbeddedDatabase } from './infra/database/embedded-database';
import { runMigrations } from './infra/database/migration-runner';
import { PASSWORD_MIN_LENGTH } from './users/dto/user.dto';
import { UsersService } from './users/users.service';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                   apply pending database migrations
  create-admin --email <e-mail> --password <password> [--name <display name>]
                                            create an admin account (migrates first)
`;

async function withDatabase<T>(config: AppConfig, work: () => Promise<T>): Promise<T> {
  const embedded = config.embeddedDatabase ? await startEmbeddedDatabase(config.dataDir, config.embeddedPostgresPort) : null;
  if (embedded) config.databaseUrl = embedded.url;
  try {
    await runMigrations(config.databaseUrl);
    return await work();
  } finally {
    await embedded?.stop();
  }
}

async function createAdmin(config: AppConfig, email: string, password: string, displayName: string): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, logLevel: 'warn' }, { api: false, worker: false }), { logger: ['error'] });
  try {
    const users = app.get(UsersService);
    if (await users.findByEmail(email)) {
      console.log(`An account with ${email} already exists; nothing changed.`);
      return;
    }
    const admin = await users.create(SYSTEM_ACTOR, { email, password, displayName, role: 'admin' });
    console.log(`Created admin ${admin.email} (${admin.id}).`);
  } finally {
    await app.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 64;
  }
  const config = loadConfig();
  switch (command) {
    case 'migrate': {
      const applied = await withDatabase(config, () => runMigrations(config.databaseUrl));
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      return 0;
    }
    case 'create-admin': {
      const { email, password } = values;
      if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw AppError.badInput('--email', 'must be an e-mail address');
      if (!password || password.length < PASSWORD_MIN_LENGTH) throw AppError.badInput('--password', `must be at least ${PASSWORD_MIN_LENGTH} characters long`);
      await withDatabase(config, () => createAdmin(config, email.toLowerCase(), password, values.name ?? 'Administrator'));
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof AppError) console.error(error.message);
    else console.error(error);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
