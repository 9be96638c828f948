import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../../infra/config/app-config';
import { Actor } from './actor';

type Principal = Omit<Actor, 'requestId'>;

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
const CHANNEL = 'principal_changed';

/**
 * Remembers who a credential belongs to, so an authenticated request costs no extra query.
 * Entries live at most 30 s and only while this process listens on `principal_changed`:
 * a trigger notifies every process when a user or key changes, and the entry is dropped at
 * once. Without a working listener nothing is cached.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrincipalCache.name);
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();
  private listener: Client | null = null;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.listening = false;
    await this.listener?.end().catch(() => undefined);
  }

  /** `key` is the credential's lookup key; `id` is the user or key id that notifications name. */
  async get(key: string, load: () => Promise<Principal | null>): Promise<Principal | null> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    const principal = await load();
    if (principal && this.listening) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { principal, expiresAt: Date.now() + TTL_MS });
    }
    return principal;
  }

  /** Drops every entry of a user or key (also called locally right after a change commits). */
  evict(id: string): void {
    for (const [key, entry] of this.entries) if (entry.principal.id === id) this.entries.delete(key);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'foundry-hub-principals' });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listening = false;
      this.entries.clear();
      this.listener = null;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`principal change listener lost${error ? `: ${error.message}` : ''}; retrying`);
      this.retry = setTimeout(() => void this.listen().catch(() => undefined), 1000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.evict(message.payload);
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listening = true;
    } catch (error) {
      lost(error as Error);
    }
  }
}
