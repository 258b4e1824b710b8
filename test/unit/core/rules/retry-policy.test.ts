import { describe, expect, it } from 'vitest';
import {
  isEligibleToRetry,
  MAX_RETRY_DELAY_SECONDS,
  type RetryDelaySpec,
  type RetryKey,
  retryDelaySeconds,
} from '../../../../functions/core/rules/retry-policy';

const key = (tryNumber: number, extra: Partial<RetryKey> = {}): RetryKey => ({
  dagId: 'etl',
  taskId: 'load',
  logicalDate: '2024-03-01T00:00:00.000Z',
  tryNumber,
  ...extra,
});
const backoff = (delay: number, maxRetryDelaySeconds?: number): RetryDelaySpec => ({
  retryDelaySeconds: delay,
  retryExponentialBackoff: true,
  maxRetryDelaySeconds,
});

describe('isEligibleToRetry', () => {
  // Airflow: `retries and try_number <= max_tries`; retries=2 → attempts 1 and 2 retry, 3 is final.
  it.each([
    [0, 1, false],
    [0, 0, false],
    [1, 1, true],
    [1, 2, false],
    [2, 1, true],
    [2, 2, true],
    [2, 3, false],
    [3, 3, true],
    [3, 4, false],
    [5, 10, false],
  ])('retries=%i, failed try %i → %s', (retries, tryNumber, expected) => {
    expect(isEligibleToRetry({ retries }, tryNumber)).toBe(expected);
  });
});

describe('retryDelaySeconds', () => {
  it.each([1, 2, 3, 6])(
    'is the constant delay without backoff (try %i), uncapped as in Airflow',
    (tryNumber) => {
      const task = { retryDelaySeconds: 300, retryExponentialBackoff: false, maxRetryDelaySeconds: 60 };
      expect(retryDelaySeconds(task, key(tryNumber))).toBe(300);
    },
  );

  it('keeps a constant delay above 24 h without backoff', () => {
    const task = { retryDelaySeconds: 2 * MAX_RETRY_DELAY_SECONDS, retryExponentialBackoff: false };
    expect(retryDelaySeconds(task, key(1))).toBe(2 * MAX_RETRY_DELAY_SECONDS);
  });

  // min_backoff = ceil(300 × 2^(try-1)); the result lies in [min_backoff, 2 × min_backoff).
  it.each([
    [1, 300, 600],
    [2, 600, 1200],
    [3, 1200, 2400],
    [4, 2400, 4800],
    [5, 4800, 9600],
    [6, 9600, 19200],
  ])('backs off exponentially: try %i → [%i, %i)', (tryNumber, low, high) => {
    for (const logicalDate of [
      '2024-03-01T00:00:00.000Z',
      '2024-03-02T00:00:00.000Z',
      '2024-03-03T00:00:00.000Z',
    ]) {
      const delay = retryDelaySeconds(backoff(300), key(tryNumber, { logicalDate }));
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(low);
      expect(delay).toBeLessThan(high);
    }
  });

  it.each([
    ['zero delay', 0, 1, 1],
    ['sub-second delay, try 1', 0.3, 1, 1],
    ['sub-second delay, try 2', 0.3, 2, 1],
  ])('bounds min_backoff below by 1 second (%s)', (_name, delay, tryNumber, expected) => {
    expect(retryDelaySeconds(backoff(delay), key(tryNumber))).toBe(expected);
  });

  it('rounds a fractional min_backoff up (ceil)', () => {
    // ceil(1.5 × 2^1) = 3 → [3, 6)
    const delay = retryDelaySeconds(backoff(1.5), key(2));
    expect(delay).toBeGreaterThanOrEqual(3);
    expect(delay).toBeLessThan(6);
  });

  it.each([10, 20, 50, 2000])('caps at 24 hours (try %i)', (tryNumber) => {
    expect(retryDelaySeconds(backoff(3600), key(tryNumber))).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('caps at maxRetryDelaySeconds when the backoff exceeds it', () => {
    expect(retryDelaySeconds(backoff(300, 1000), key(4))).toBe(1000);
    expect(retryDelaySeconds(backoff(3600, 100_000), key(30))).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('leaves a backoff below maxRetryDelaySeconds alone', () => {
    const delay = retryDelaySeconds(backoff(300, 1000), key(1));
    expect(delay).toBeGreaterThanOrEqual(300);
    expect(delay).toBeLessThan(600);
  });

  it('treats maxRetryDelaySeconds 0 as unset, like Airflow’s falsy timedelta(0)', () => {
    expect(retryDelaySeconds(backoff(300, 0), key(1))).toBeGreaterThanOrEqual(300);
  });

  it('treats a try number below 1 as the first attempt', () => {
    expect(retryDelaySeconds(backoff(300), key(0))).toBeGreaterThanOrEqual(300);
  });

  it('is deterministic for the same key', () => {
    const k = key(3, { mapIndex: 4 });
    expect(retryDelaySeconds(backoff(300), k)).toBe(retryDelaySeconds(backoff(300), { ...k }));
  });

  it('spreads the jitter over different keys', () => {
    const dates = Array.from(
      { length: 50 },
      (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')}T0${i % 10}:00:00Z`,
    );
    const delays = new Set(
      dates.map((logicalDate) => retryDelaySeconds(backoff(300), key(1, { logicalDate }))),
    );
    expect(delays.size).toBeGreaterThan(20);
  });

  it('gives mapped siblings their own jitter, and unmapped (-1) the plain key', () => {
    const siblings = new Set(
      [0, 1, 2, 3, 4, 5].map((mapIndex) => retryDelaySeconds(backoff(300), key(1, { mapIndex }))),
    );
    expect(siblings.size).toBeGreaterThan(1);
    expect(retryDelaySeconds(backoff(300), key(1, { mapIndex: -1 }))).toBe(
      retryDelaySeconds(backoff(300), key(1)),
    );
  });
});
