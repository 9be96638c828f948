import { QueryFailedError } from 'typeorm';

/** deadlock_detected and serialization_failure: the transaction lost a race and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

function isRetryableConflict(error: unknown): boolean {
  return error instanceof QueryFailedError && RETRYABLE.has((error as QueryFailedError & { driverError: { code?: string } }).driverError?.code ?? '');
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim. Lock order
 * avoids the common cycles; this covers the rare ones (a shipment of several pieces leaving
 * several boxes while samples move between them), which would otherwise be 500s.
 */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
