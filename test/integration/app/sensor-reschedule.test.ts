import { describe, expect, it } from 'vitest';
import { dag, sensor } from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

// `dags test` runs reschedule-mode pokes as separate attempts and skips the waits on its clock.
describe('reschedule-mode sensors under dags test', () => {
  it('times out after the timeout since the first poke: failed, never retried, reason with pokes and timeout', async () => {
    const wait = sensor(
      { taskId: 'wait', pokeIntervalSeconds: 10, timeoutSeconds: 35, retries: 2 },
      () => false,
    );
    const r = await runInMemory(dag({ dagId: 'sensor_timeout' }, () => void wait()));
    expect(r.byId('wait')).toMatchObject({ state: 'failed', tryNumber: 1, pokeCount: 5 });
    expect(r.byId('wait')?.reason).toMatch(
      /^sensor timeout: condition not met after 5 pokes in 40s \(timeout 35s\)$/,
    );
  });

  it('skips a timed-out sensor with softFail', async () => {
    const wait = sensor(
      { taskId: 'wait', pokeIntervalSeconds: 10, timeoutSeconds: 15, softFail: true, retries: 1 },
      () => false,
    );
    const r = await runInMemory(dag({ dagId: 'sensor_soft' }, () => void wait()));
    expect(r.byId('wait')).toMatchObject({ state: 'skipped', tryNumber: 1, pokeCount: 3 });
    expect(r.byId('wait')?.reason).toMatch(/sensor timeout: condition not met after 3 pokes/);
  });

  it('grows the wait per poke with exponential backoff, capped by maxWaitSeconds', async () => {
    let calls = 0;
    const wait = sensor(
      {
        taskId: 'wait',
        pokeIntervalSeconds: 4,
        exponentialBackoff: true,
        maxWaitSeconds: 20,
        timeoutSeconds: 3600,
      },
      () => ++calls >= 6,
    );
    const r = await runInMemory(dag({ dagId: 'sensor_backoff' }, () => void wait()));
    expect(r.byId('wait')).toMatchObject({ state: 'success', tryNumber: 1, pokeCount: 6 });
    const waits = [...r.logOf('wait').matchAll(/next poke at \S+ \(in (\d+)s\)/g)].map((m) => Number(m[1]));
    // min_backoff = 4 × 2^(n−2): 2, 4, 8, 16, 32 → each in [min, 2 × min), then capped at 20.
    const ranges = [
      [2, 4],
      [4, 8],
      [8, 16],
      [16, 20],
      [20, 20],
    ];
    expect(waits).toHaveLength(5);
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(ranges[i]![0]!);
      expect(w).toBeLessThanOrEqual(ranges[i]![1]!);
    });
  });

  it('retries a poke that throws as a normal failure, and the new try pokes afresh', async () => {
    let calls = 0;
    const wait = sensor(
      { taskId: 'wait', pokeIntervalSeconds: 5, timeoutSeconds: 600, retries: 1, retryDelay: 0 },
      () => {
        calls++;
        if (calls === 2) throw new Error('bucket listing failed');
        return calls >= 4 ? { done: true, xcom: calls } : false;
      },
    );
    const r = await runInMemory(dag({ dagId: 'sensor_throws' }, () => void wait()));
    // Try 1: one unmet poke, then the throw; try 2: an unmet poke and the one that succeeds.
    expect(r.byId('wait')).toMatchObject({ state: 'success', tryNumber: 2, pokeCount: 2 });
    expect(await r.xcomOf('wait')).toBe(4);
    expect(r.logOf('wait')).toContain('attempt 1 ended up_for_retry: bucket listing failed');
  });

  it('fails a poke that throws once retries are spent', async () => {
    const wait = sensor({ taskId: 'wait', pokeIntervalSeconds: 5, timeoutSeconds: 600 }, () => {
      throw new Error('no such bucket');
    });
    const r = await runInMemory(dag({ dagId: 'sensor_throws_out' }, () => void wait()));
    expect(r.byId('wait')).toMatchObject({ state: 'failed', tryNumber: 1, reason: 'no such bucket' });
  });

  it('does not retry a poke-mode sensor timeout either', async () => {
    const wait = sensor(
      { taskId: 'wait', mode: 'poke', pokeIntervalSeconds: 0.01, timeoutSeconds: 0.03, retries: 2 },
      () => false,
    );
    const r = await runInMemory(dag({ dagId: 'sensor_poke_timeout' }, () => void wait()));
    expect(r.byId('wait')).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(r.byId('wait')?.reason).toMatch(/^sensor timeout: condition not met after \d+ pokes/);
  });
});
