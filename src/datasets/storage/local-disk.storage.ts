import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { measuring } from '../../common/streams';
import { APP_CONFIG, AppConfig } from '../../infra/config/app-config';
import { DatasetStorage, ObjectTooLargeError, StoredObject } from './dataset-storage';

/**
 * Dataset files on local disk under DATA_DIR/datasets/objects. An object is written to a
 * `.part` file and renamed into place only when complete and measured, so a crash leaves no
 * half object under a real key.
 */
@Injectable()
export class LocalDiskStorage extends DatasetStorage implements OnModuleInit {
  private readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.root = join(config.dataDir, 'datasets', 'objects');
  }

  /** The folder is made once, at start. */
  async onModuleInit(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async put(stream: Readable, maxBytes: number): Promise<StoredObject> {
    const key = randomUUID();
    const partial = `${this.path(key)}.part`;
    const { stream: measure, measurement } = measuring({ maxBytes, tooLarge: () => new ObjectTooLargeError(maxBytes) });
    try {
      await pipeline(stream, measure, createWriteStream(partial, { flags: 'wx' }));
      // A source that stopped at the limit by itself (multipart's own cut-off) is too large as well.
      if ((stream as Readable & { truncated?: boolean }).truncated) throw new ObjectTooLargeError(maxBytes);
      await rename(partial, this.path(key));
      return { key, size: measurement.size, sha256: measurement.sha256() };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  get(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error(`not a storage key: ${key}`);
    return join(this.root, key);
  }
}
