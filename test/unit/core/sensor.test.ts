import { describe, expect, it } from 'vitest';
import { finishAttempt } from '../../../functions/core/attempt';
import type { SensorSpec, TaskSpec } from '../../../functions/core/model';
import type { TaskInstanceRecord } from '../../../functions/core/records';
import { afterUnmetPoke, nextPokeIntervalSeconds } from '../../../functions/core/sensor';

const spec = (over: Partial<SensorSpec> = {}): SensorSpec => ({
  mode: 'reschedule',
  pokeIntervalSeconds: 60,
  timeoutSeconds: 3600,
  exponentialBackoff: false,
  softFail: false,
  ...over,
});
const T0 = '2024-05-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const ti = (over: Partial<TaskInstanceRecord> = {}): TaskInstanceRecord => ({
  dagId: 'd',
  runId: 'r',
  taskId: 'wait',
  mapIndex: -1,
  state: 'running',
  tryNumber: 1,
  startDate: T0,
  ...over,
});
const key = (pokeCount: number, durationSeconds = 0) => ({
  dagId: 'd',
  taskId: 'wait',
  firstPokeAt: T0,
  pokeCount,
  durationSeconds,
});

describe('next poke interval (Airflow _get_next_poke_interval)', () => {
  it('is the poke interval without backoff, whatever the poke count', () => {
    for (const n of [1, 5, 50]) expect(nextPokeIntervalSeconds(spec(), key(n))).toBe(60);
  });

  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [4, 240],
    [5, 480],
  ])(
    'after poke %i with backoff lies in [min_backoff, 2 × min_backoff) for min_backoff %i',
    (n, minBackoff) => {
      const wait = nextPokeIntervalSeconds(spec({ exponentialBackoff: true }), key(n));
      expect(wait).toBeGreaterThanOrEqual(minBackoff);
      expect(wait).toBeLessThan(2 * minBackoff);
      expect(Number.isInteger(wait)).toBe(true);
    },
  );

  it('grows with the poke count, is deterministic, and never drops below one second', () => {
    const backoff = spec({ exponentialBackoff: true, pokeIntervalSeconds: 1 });
    const waits = [1, 2, 3, 4, 5, 6].map((n) => nextPokeIntervalSeconds(backoff, key(n)));
    expect(waits[0]).toBe(1);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]! - 1);
    expect(waits[5]).toBeGreaterThanOrEqual(16);
    expect([1, 2, 3, 4, 5, 6].map((n) => nextPokeIntervalSeconds(backoff, key(n)))).toEqual(waits);
  });

  it('is capped by maxWaitSeconds and by the timeout left', () => {
    const backoff = spec({ exponentialBackoff: true, maxWaitSeconds: 300 });
    expect(nextPokeIntervalSeconds(backoff, key(10))).toBe(300);
    expect(nextPokeIntervalSeconds(backoff, key(10, 3550))).toBe(50);
  });
});

describe('after an unmet poke', () => {
  it('reschedules the first poke from its own start and counts it', () => {
    expect(afterUnmetPoke(spec(), ti(), at(2))).toEqual({
      kind: 'reschedule',
      nextPokeAt: at(62),
      pokeCount: 1,
      firstPokeAt: T0,
      reason: `poke 1: condition not met; next poke at ${at(62)} (in 60s)`,
    });
  });

  it('measures the timeout from the first poke of the try, not from this attempt', () => {
    const later = ti({ startDate: at(3600), pokeCount: 60, firstPokeAt: T0 });
    expect(afterUnmetPoke(spec(), later, at(3601))).toEqual({
      kind: 'timeout',
      state: 'failed',
      pokeCount: 61,
      reason: 'sensor timeout: condition not met after 61 pokes in 3601s (timeout 3600s)',
    });
    expect(afterUnmetPoke(spec({ softFail: true }), later, at(3601))).toMatchObject({ state: 'skipped' });
  });

  it('ignores a reset first poke time (count 0, after a clear)', () => {
    const cleared = ti({ startDate: at(9000), pokeCount: 0, firstPokeAt: null });
    expect(afterUnmetPoke(spec(), cleared, at(9001))).toMatchObject({
      kind: 'reschedule',
      firstPokeAt: at(9000),
    });
  });
});

describe('finishAttempt for a reschedule-mode sensor', () => {
  const task = {
    taskId: 'wait',
    operator: { kind: 'sensor', sensor: spec({ timeoutSeconds: 10 }) },
    retries: 3,
    retryDelaySeconds: 5,
    retryExponentialBackoff: false,
  } as TaskSpec;

  it('fails a timed-out sensor without a retry, whatever retries says', () => {
    const patch = finishAttempt(
      task,
      ti({ pokeCount: 2, firstPokeAt: T0 }),
      { kind: 'reschedule', reason: 'condition not met' },
      T0,
      at(11),
    );
    expect(patch).toMatchObject({ state: 'failed', pokeCount: 3 });
  });

  it('counts the poke that succeeded, and starts the poke state afresh for a retry', () => {
    const running = ti({ pokeCount: 4, firstPokeAt: T0 });
    expect(finishAttempt(task, running, { kind: 'success', xcomLength: null }, T0, at(5))).toMatchObject({
      state: 'success',
      pokeCount: 5,
    });
    const failed = { kind: 'failed' as const, reason: 'boom', retryable: true };
    expect(finishAttempt(task, running, failed, T0, at(5))).toMatchObject({
      state: 'up_for_retry',
      pokeCount: 0,
      firstPokeAt: null,
    });
  });
});
