import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../../functions/core/model';
import type { TaskInstanceRecord } from '../../../../functions/core/records';
import { ago, LIMITS, later, NOW, planOf, specOf, summarizePlan, t, ti } from './fixtures';

/** a → b, with `a`'s spec overridden. */
const dagWith = (a: Partial<TaskSpec> = {}) => specOf({ tasks: [t('a', [], a), t('b', ['a'])] });

type Row = [
  name: string,
  a: Partial<TaskSpec>,
  instance: TaskInstanceRecord,
  expected: string[],
  reason?: string,
];

describe('planRun: tick repairs for instances already started', () => {
  it.each<Row>([
    // Retries wait for nextRetryAt; the run is not deadlocked meanwhile.
    [
      'up_for_retry before nextRetryAt waits',
      { retries: 2 },
      ti('a=up_for_retry', { nextRetryAt: later(30) }),
      [],
    ],
    [
      'up_for_retry at nextRetryAt is ready as the next attempt',
      { retries: 2 },
      ti('a=up_for_retry', { nextRetryAt: NOW }),
      ['ready a'],
    ],
    ['up_for_retry without nextRetryAt is due', { retries: 2 }, ti('a=up_for_retry'), ['ready a']],
    [
      'up_for_reschedule before its next poke waits',
      {},
      ti('a=up_for_reschedule', { nextRetryAt: later(1) }),
      [],
    ],
    [
      'up_for_reschedule after its next poke is ready',
      {},
      ti('a=up_for_reschedule', { nextRetryAt: ago(1) }),
      ['ready a'],
    ],
    // Lost SQS messages: the state was written, the send may not have happened.
    ['queued recently: left alone', {}, ti('a=queued', { queuedAt: ago(LIMITS.requeueAfterSeconds) }), []],
    [
      'queued too long: the message is re-sent',
      {},
      ti('a=queued', { queuedAt: ago(LIMITS.requeueAfterSeconds + 1) }),
      ['resend a'],
      `queued for ${LIMITS.requeueAfterSeconds + 1}s without a worker claim; message re-sent`,
    ],
    // Zombies: running without a heartbeat.
    ['running with a fresh heartbeat: left alone', { retries: 1 }, ti('a=running'), []],
    [
      'running without heartbeat, retries left: up_for_retry',
      { retries: 1 },
      ti('a=running', { startDate: ago(1000), heartbeatAt: ago(LIMITS.zombieAfterSeconds + 1) }),
      ['fail a→up_for_retry'],
      `zombie: no heartbeat for ${LIMITS.zombieAfterSeconds + 1}s (worker lost)`,
    ],
    [
      'running without heartbeat, no retries left: failed, cascading in the same pass',
      { retries: 1 },
      ti('a=running', {
        tryNumber: 2,
        startDate: ago(1000),
        heartbeatAt: ago(LIMITS.zombieAfterSeconds + 1),
      }),
      ['fail a→failed', 'upstream_failed b', 'finish failed'],
    ],
    [
      'running with no heartbeat ever: measured from its start',
      {},
      ti('a=running', { startDate: ago(LIMITS.zombieAfterSeconds + 1), heartbeatAt: undefined }),
      ['fail a→failed', 'upstream_failed b', 'finish failed'],
    ],
    // Execution timeout (plus grace, since the worker enforces it first).
    [
      'past executionTimeout + grace: failed with execution_timeout',
      { executionTimeoutSeconds: 60 },
      ti('a=running', { startDate: ago(60 + LIMITS.timeoutGraceSeconds + 1) }),
      ['fail a→failed', 'upstream_failed b', 'finish failed'],
      'execution_timeout: still running after 60s',
    ],
    [
      'past executionTimeout but within grace: left to the worker',
      { executionTimeoutSeconds: 60 },
      ti('a=running', { startDate: ago(60 + LIMITS.timeoutGraceSeconds) }),
      [],
    ],
    [
      'execution timeout with retries left: up_for_retry',
      { executionTimeoutSeconds: 60, retries: 3 },
      ti('a=running', { startDate: ago(500) }),
      ['fail a→up_for_retry'],
      'execution_timeout: still running after 60s',
    ],
  ])('%s', (_name, a, instance, expected, reason) => {
    const plan = planOf(dagWith(a), [instance]);
    expect(summarizePlan(plan)).toEqual(expected);
    if (reason) expect(plan.commands[0]).toMatchObject({ reason });
  });

  it('a retry is the next try number; a reschedule keeps the try number', () => {
    const retry = planOf(dagWith({ retries: 2 }), [ti('a=up_for_retry', { tryNumber: 1 })]).ready[0];
    expect(retry).toMatchObject({ from: 'up_for_retry', tryNumber: 2, reason: 'retry: attempt 2 of 3' });
    const poke = planOf(dagWith(), [ti('a=up_for_reschedule', { tryNumber: 1 })]).ready[0];
    expect(poke).toMatchObject({
      from: 'up_for_reschedule',
      tryNumber: 1,
      reason: 'reschedule: next poke is due',
    });
  });

  it('pins a due poke to the poke count read, so a wake-up that poked meanwhile wins', () => {
    const poke = planOf(dagWith(), [ti('a=up_for_reschedule', { pokeCount: 4 })]).ready[0];
    expect(poke).toMatchObject({ from: 'up_for_reschedule', pokeCount: 4 });
    const legacy = planOf(dagWith(), [ti('a=up_for_reschedule')]).ready[0];
    expect(legacy).toMatchObject({ pokeCount: 0 });
    const retry = planOf(dagWith({ retries: 1 }), [ti('a=up_for_retry')]).ready[0];
    expect(retry).not.toHaveProperty('pokeCount');
  });

  it('re-sends and re-queues carry the task memory, so the message reaches the same memory class', () => {
    const stale = ti('a=queued', { queuedAt: ago(LIMITS.requeueAfterSeconds + 1) });
    expect(planOf(dagWith({ memoryMiB: 4096 }), [stale]).commands[0]).toMatchObject({
      kind: 'resend_task',
      memoryMiB: 4096,
    });
    const retry = planOf(dagWith({ memoryMiB: 3008, retries: 1 }), [ti('a=up_for_retry')]).ready[0];
    expect(retry).toMatchObject({ memoryMiB: 3008 });
  });

  it('a retry that is not due leaves a note with its due time', () => {
    const plan = planOf(dagWith({ retries: 2 }), [ti('a=up_for_retry', { nextRetryAt: later(30) })]);
    expect(plan.notes[0]).toMatchObject({ key: { taskId: 'a' }, reason: `retry due at ${later(30)}` });
    expect(plan.commands).toEqual([]);
  });

  it('a zombie with retries left is failed from running with the retry time of its policy', () => {
    const plan = planOf(dagWith({ retries: 1, retryDelaySeconds: 120 }), [
      ti('a=running', { heartbeatAt: ago(LIMITS.zombieAfterSeconds + 1) }),
    ]);
    expect(plan.commands[0]).toMatchObject({
      kind: 'fail_task',
      from: 'running',
      tryNumber: 1,
      outcome: 'up_for_retry',
      nextRetryAt: later(120),
    });
  });

  it('a failed zombie has no nextRetryAt', () => {
    const plan = planOf(dagWith(), [ti('a=running', { heartbeatAt: ago(LIMITS.zombieAfterSeconds + 1) })]);
    expect(plan.commands[0]).not.toHaveProperty('nextRetryAt');
  });
});
