import { Backoffs } from 'bullmq';
import { ConfigError, DEFAULT_JOB_BACKOFF_MS, loadConfig } from '../config/app-config';
import { defaultJobOptions, JOB_OPTIONS, JobName } from './queue-name';
import { firstAttemptAfter, retrySchedule } from './retry-schedule';

const HOUR_MS = 3_600_000;
/** What production runs with: JOB_BACKOFF_MS unset, a handover's own number of attempts. */
const BASE_MS = loadConfig({ DATABASE_URL: 'postgres://hub@db:5432/hub', JWT_SECRET: 'x'.repeat(32) }).jobBackoffMs;
const ATTEMPTS = JOB_OPTIONS[JobName.HandoverDeliver]!.attempts!;

describe('retrySchedule', () => {
  it('adds up the exponential waits: attempt n starts base · (2^(n-1) − 1) after the first', () => {
    expect(retrySchedule(2000, 5)).toEqual([0, 2000, 6000, 14_000, 30_000]);
    expect(retrySchedule(5, 3)).toEqual([0, 5, 15]);
    expect(retrySchedule(2000, 1)).toEqual([0]);
    expect(() => retrySchedule(2000, 0)).toThrow(RangeError);
    expect(() => retrySchedule(-1, 3)).toThrow(RangeError);
  });

  it('waits what BullMQ waits with the default job options', () => {
    const { backoff } = defaultJobOptions(2000);
    const starts = retrySchedule(backoff.delay, ATTEMPTS);
    for (let failed = 1; failed < ATTEMPTS; failed++) {
      expect(starts[failed] - starts[failed - 1]).toBe(Backoffs.calculate({ ...backoff }, failed, new Error('503'), undefined as never, undefined));
    }
  });

  it('is configured with 2 s and 14 attempts for handovers, unless JOB_BACKOFF_MS says otherwise', () => {
    expect(BASE_MS).toBe(DEFAULT_JOB_BACKOFF_MS);
    expect(BASE_MS).toBe(2000);
    expect(ATTEMPTS).toBe(14);
    expect(loadConfig({ DATABASE_URL: 'postgres://hub@db:5432/hub', JWT_SECRET: 'x'.repeat(32), JOB_BACKOFF_MS: '5' }).jobBackoffMs).toBe(5);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://hub@db:5432/hub', JWT_SECRET: 'x'.repeat(32), JOB_BACKOFF_MS: '0' })).toThrow(ConfigError);
    expect(defaultJobOptions(BASE_MS)).toEqual({
      attempts: 8,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  });

  it('keeps retrying a handover through a one-hour outage of the target', () => {
    const starts = retrySchedule(BASE_MS, ATTEMPTS);
    // The last attempt starts 2 · (2^13 − 1) s = 16,382 s (4 h 33 min) after the first.
    expect(starts[ATTEMPTS - 1]).toBe(16_382_000);
    expect(starts[ATTEMPTS - 1]).toBeGreaterThan(HOUR_MS);
    // Attempts 1–11 fall inside the hour (the 11th at 2,046 s); the 12th, at 4,094 s, is the first after it.
    expect(firstAttemptAfter(BASE_MS, ATTEMPTS, HOUR_MS)).toBe(12);
    expect(starts[10]).toBe(2_046_000);
    expect(starts[11]).toBe(4_094_000);
    // Two attempts are still left after that one.
    expect(ATTEMPTS - firstAttemptAfter(BASE_MS, ATTEMPTS, HOUR_MS)!).toBe(2);
  });

  it('says when an outage outlasts every attempt', () => {
    expect(firstAttemptAfter(BASE_MS, ATTEMPTS, 16_382_000)).toBe(14);
    expect(firstAttemptAfter(BASE_MS, ATTEMPTS, 16_382_001)).toBeNull();
    expect(firstAttemptAfter(BASE_MS, ATTEMPTS, 5 * HOUR_MS)).toBeNull();
    expect(firstAttemptAfter(BASE_MS, ATTEMPTS, 0)).toBe(1);
  });
});
