/**
 * When each attempt of a job starts under the queue's exponential backoff, counted from the
 * start of the first attempt, in milliseconds: `[0, base, 3·base, 7·base, …]`, i.e. attempt n
 * (1-based) starts after `base · (2^(n-1) − 1)`. BullMQ waits `2^(k-1) · base` after the k-th
 * failure (`Backoffs.calculate`); the time the attempts themselves take comes on top.
 */
export function retrySchedule(baseMs: number, attempts: number): number[] {
  if (!Number.isFinite(baseMs) || baseMs < 0) throw new RangeError(`baseMs must be a non-negative number, got ${baseMs}`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a whole number ≥ 1, got ${attempts}`);
  const starts = [0];
  for (let failed = 1; failed < attempts; failed++) starts.push(starts[failed - 1] + Math.round(2 ** (failed - 1) * baseMs));
  return starts;
}

/**
 * The first attempt (1-based) that starts at least `outageMs` after the first one: the one
 * that finds a target back after an outage of that length which began with the first attempt.
 * Null when the outage outlasts every attempt (the job fails).
 */
export function firstAttemptAfter(baseMs: number, attempts: number, outageMs: number): number | null {
  const index = retrySchedule(baseMs, attempts).findIndex((start) => start >= outageMs);
  return index === -1 ? null : index + 1;
}
