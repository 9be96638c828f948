import { Readable } from 'node:stream';

/** An object the storage holds: its key, and the size and SHA-256 measured while it was written. */
export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
}

/** A file stream went over the size limit; what was written of it is gone. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
  }
}

/**
 * Where dataset files live. Objects are written once and never changed, so a later dataset
 * version can point at an object of an earlier one. Drivers: local disk (the default, under
 * DATA_DIR); an object store would be another implementation of this class.
 */
export abstract class DatasetStorage {
  /**
   * Writes a stream as a new object, measuring size and SHA-256 on the way (never buffering it
   * whole). Nothing is left behind if the stream fails or passes `maxBytes`.
   */
  abstract put(stream: Readable, maxBytes: number): Promise<StoredObject>;

  /** The object's bytes. */
  abstract get(key: string): Readable;

  /** Removes an object that no dataset refers to (an upload that failed half-way). */
  abstract remove(key: string): Promise<void>;
}
