import { describe, expect, it } from 'vitest';
import { finishAttempt } from '../../../functions/core/attempt';
import type { SensorSpec } from '../../../functions/core/model';
import type { TaskInstanceRecord } from '../../../functions/core/records';
import { externalJobOf, pokeTimedOut } from '../../../functions/core/sensor';
import { t } from './planner/fixtures';

const sensor: SensorSpec = {
  mode: 'reschedule',
  pokeIntervalSeconds: 60,
  timeoutSeconds: 600,
  exponentialBackoff: false,
  softFail: false,
};
const athena = t('rank', [], {
  operator: { kind: 'athena_query', query: 'SELECT 1', database: 'db', sensor },
  retries: 1,
});
const T0 = '2024-05-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const ti = (over: Partial<TaskInstanceRecord> = {}): TaskInstanceRecord => ({
  dagId: 'd',
  runId: 'r',
  taskId: 'rank',
  mapIndex: -1,
  state: 'running',
  tryNumber: 1,
  startDate: T0,
  ...over,
});

describe('external jobs of rescheduled operators', () => {
  it.each([
    [{ externalJob: { tryNumber: 1, id: 'q-1' } }, 1, 'q-1'],
    [{ externalJob: { tryNumber: 1, id: 'q-1' } }, 2, undefined], // a zombie's try: never resumed
    [{ externalJob: null }, 1, undefined],
    [{}, 1, undefined],
  ])('%j at try %i: %s', (over, tryNumber, expected) => {
    expect(externalJobOf(ti(over), tryNumber)).toBe(expected);
  });

  it('remembers the job an unmet poke returns, with its try', () => {
    const patch = finishAttempt(
      athena,
      ti(),
      { kind: 'reschedule', reason: 'q-1 is QUEUED', externalJobId: 'q-1' },
      T0,
      at(1),
    );
    expect(patch).toMatchObject({
      state: 'up_for_reschedule',
      externalJob: { tryNumber: 1, id: 'q-1' },
      reason: expect.stringMatching(/^poke 1: q-1 is QUEUED; next poke at /),
    });
  });

  it('forgets it when the try fails into a retry', () => {
    const running = ti({ pokeCount: 2, firstPokeAt: T0, externalJob: { tryNumber: 1, id: 'q-1' } });
    const patch = finishAttempt(
      athena,
      running,
      { kind: 'failed', reason: 'FAILED', retryable: true },
      T0,
      at(90),
    );
    expect(patch).toMatchObject({
      state: 'up_for_retry',
      externalJob: null,
      pokeCount: 0,
      firstPokeAt: null,
    });
  });

  it.each([
    [{}, 600, false], // first poke: the timeout runs from this claim
    [{ pokeCount: 3, firstPokeAt: T0 }, 600, false],
    [{ pokeCount: 3, firstPokeAt: T0 }, 601, true],
  ])('poke state %j at +%is: timed out %s', (over, seconds, expected) => {
    expect(pokeTimedOut(sensor, ti({ ...over, startDate: at(seconds) }), at(seconds))).toBe(expected);
  });
});
