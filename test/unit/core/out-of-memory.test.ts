import { describe, expect, it } from 'vitest';
import { type AttemptResult, escalateMemory, finishAttempt } from '../../../functions/core/attempt';
import {
  type ContainerExit,
  containerValue,
  environmentDetails,
} from '../../../functions/core/container-exit';
import type { JsonValue, OperatorSpec, TaskSpec } from '../../../functions/core/model';
import { effectiveMemoryMiB, type TaskInstanceRecord } from '../../../functions/core/records';
import {
  classifyThrown,
  NonRetryableTaskError,
  OutOfMemoryError,
  outOfMemoryReason,
} from '../../../functions/core/task-errors';
import { ago, LIMITS, later, NOW, planOf, specOf, summarizePlan, t, ti } from './planner/fixtures';

const CONTAINER: OperatorSpec = {
  kind: 'container',
  environment: 'img',
  command: [],
  args: [],
  env: {},
  cpu: 0.25,
};

/** A container task of 256 MiB, escalating up to 1024 MiB unless `overrides` say otherwise. */
const task = (overrides: Partial<TaskSpec> = {}): TaskSpec =>
  t('x', [], {
    operator: CONTAINER,
    executor: 'ecs',
    memoryMiB: 256,
    onOutOfMemory: { maxMemoryMiB: 1024 },
    retryDelaySeconds: 60,
    ...overrides,
  });

/** The running attempt `tryNumber` of `x`, with its escalated memory when given. */
const running = (tryNumber: number, memoryMiB?: number): TaskInstanceRecord => ({
  dagId: 'd',
  runId: 'r',
  taskId: 'x',
  mapIndex: -1,
  state: 'running',
  tryNumber,
  startDate: ago(60),
  ...(memoryMiB !== undefined && { memoryMiB }),
});

/** The reason of a container killed for memory at `limit` MiB. */
const oomReason = (limit: number) =>
  outOfMemoryReason(limit, 'container killed for exceeding its memory (exit 137)');
const OOM = (limit: number): AttemptResult => ({
  kind: 'failed',
  reason: oomReason(limit),
  retryable: true,
  outOfMemory: true,
});
const CRASH: AttemptResult = { kind: 'failed', reason: 'boom', retryable: true };
const LOGICAL = '2024-01-02T00:00:00.000Z';

describe('finishAttempt: out-of-memory escalation', () => {
  it.each<[name: string, spec: TaskSpec, instance: TaskInstanceRecord, result: AttemptResult, patch: object]>(
    [
      [
        'first OOM at 256 MiB: retried at once with 512',
        task(),
        running(1),
        OOM(256),
        {
          state: 'up_for_retry',
          endDate: NOW,
          nextRetryAt: NOW,
          memoryMiB: 512,
          reason:
            'out_of_memory: container killed for exceeding its memory (exit 137) (limit 256 MiB); retrying with 512 MiB (onOutOfMemory)',
        },
      ],
      [
        'second OOM at 512 MiB: retried with 1024 (the max)',
        task(),
        running(2, 512),
        OOM(512),
        {
          state: 'up_for_retry',
          nextRetryAt: NOW,
          memoryMiB: 1024,
          reason: expect.stringMatching(/\(limit 512 MiB\); retrying with 1024 MiB \(onOutOfMemory\)$/),
        },
      ],
      [
        'OOM at the max without retries: failed',
        task(),
        running(3, 1024),
        OOM(1024),
        { state: 'failed', endDate: NOW, reason: oomReason(1024) },
      ],
      [
        'OOM at the max with retries left: an ordinary delayed retry, memory kept',
        task({ retries: 5 }),
        running(3, 1024),
        OOM(1024),
        {
          state: 'up_for_retry',
          nextRetryAt: later(60),
          reason: expect.not.stringContaining('onOutOfMemory'),
        },
      ],
      [
        // Escalated attempts are tries: with retries 2, try 3 was the last one.
        'OOM at the max after two escalations with retries 2: failed',
        task({ retries: 2 }),
        running(3, 1024),
        OOM(1024),
        { state: 'failed' },
      ],
      [
        'a max that is not a doubling caps the last step',
        task({ memoryMiB: 768, onOutOfMemory: { maxMemoryMiB: 1000 } }),
        running(1),
        OOM(768),
        { state: 'up_for_retry', memoryMiB: 1000, reason: expect.stringContaining('retrying with 1000 MiB') },
      ],
      [
        'memory already past a lowered max: no escalation',
        task({ onOutOfMemory: { maxMemoryMiB: 512 } }),
        running(3, 1024),
        OOM(1024),
        { state: 'failed' },
      ],
      [
        'a non-OOM failure with the policy: failed without retries',
        task(),
        running(1),
        CRASH,
        { state: 'failed', reason: 'boom' },
      ],
      [
        'a non-OOM failure with the policy and retries: delayed retry at the same memory',
        task({ retries: 1 }),
        running(1),
        CRASH,
        { state: 'up_for_retry', nextRetryAt: later(60), reason: 'boom' },
      ],
      [
        'a non-OOM failure after an escalation: delayed retry, the escalated memory untouched',
        task({ retries: 3 }),
        running(2, 512),
        CRASH,
        { state: 'up_for_retry', nextRetryAt: later(60), reason: 'boom' },
      ],
      [
        'OOM without the policy, retries left: an ordinary delayed retry',
        task({ onOutOfMemory: undefined, retries: 1 }),
        running(1),
        OOM(256),
        {
          state: 'up_for_retry',
          nextRetryAt: later(60),
          reason: expect.stringMatching(/^out_of_memory: .*MiB\)$/),
        },
      ],
      [
        'OOM without the policy and no retries: failed',
        task({ onOutOfMemory: undefined }),
        running(1),
        OOM(256),
        { state: 'failed', reason: expect.stringMatching(/^out_of_memory: /) },
      ],
      [
        'a detached ECS task: still running, remembering its job for this try',
        task(),
        running(2, 512),
        { kind: 'detached', externalJobId: 'arn:aws:ecs:task/abc', reason: 'started ECS task abc' },
        {
          state: 'running',
          heartbeatAt: NOW,
          reason: 'started ECS task abc',
          externalJob: { tryNumber: 2, id: 'arn:aws:ecs:task/abc' },
        },
      ],
    ],
  )('%s', (_name, spec, instance, result, patch) => {
    const got = finishAttempt(spec, instance, result, LOGICAL, NOW);
    expect(got).toMatchObject(patch);
    // Only an escalation writes memory: other ends leave the instance's memory as it was.
    if (!('memoryMiB' in patch)) expect(got).not.toHaveProperty('memoryMiB');
    if (got.state !== 'up_for_retry' && got.state !== 'running')
      expect(got).not.toHaveProperty('nextRetryAt');
  });

  it('escalates 256 → 512 → 1024 across tries, then stops', () => {
    const spec = task();
    const memories: (number | undefined)[] = [];
    let memoryMiB: number | undefined;
    for (let tryNumber = 1; tryNumber <= 4; tryNumber++) {
      const patch = finishAttempt(spec, running(tryNumber, memoryMiB), OOM(memoryMiB ?? 256), LOGICAL, NOW);
      memories.push(patch.memoryMiB);
      if (patch.state !== 'up_for_retry') break;
      memoryMiB = patch.memoryMiB;
    }
    expect(memories).toEqual([512, 1024, undefined]);
  });

  it.each<[name: string, spec: TaskSpec, memoryMiB: number | undefined, expected: number | undefined]>([
    ['from the task memory', task(), undefined, 512],
    ['from the escalated memory', task(), 512, 1024],
    ['at the max', task(), 1024, undefined],
    ['capped at the max', task({ onOutOfMemory: { maxMemoryMiB: 700 } }), 512, 700],
    ['without a policy', task({ onOutOfMemory: undefined }), undefined, undefined],
  ])('escalateMemory %s', (_name, spec, memoryMiB, expected) => {
    expect(escalateMemory(spec, running(1, memoryMiB))).toBe(expected);
  });
});

/** How a container ended, exit 0 unless overridden. */
const exit = (overrides: Partial<ContainerExit> = {}): ContainerExit => ({
  exitCode: 0,
  outOfMemory: false,
  runtime: 'ecs-fargate',
  ...overrides,
});

describe('effectiveMemoryMiB: the memory of the next attempt', () => {
  const policy = { maxMemoryMiB: 4096 };
  it.each<
    [string, { memoryMiB: number; onOutOfMemory?: { maxMemoryMiB: number } }, number | undefined, number]
  >([
    [
      'the task memory when the instance was never escalated',
      { memoryMiB: 512, onOutOfMemory: policy },
      undefined,
      512,
    ],
    [
      'the escalated memory while the task still asks for escalation',
      { memoryMiB: 512, onOutOfMemory: policy },
      2048,
      2048,
    ],
    ['the task memory once a new bundle dropped onOutOfMemory', { memoryMiB: 512 }, 2048, 512],
    [
      'the task memory once a new bundle raised it above the escalation',
      { memoryMiB: 3072, onOutOfMemory: policy },
      1024,
      3072,
    ],
  ])('%s', (_name, task, escalated, expected) => {
    expect(effectiveMemoryMiB(task, escalated === undefined ? {} : { memoryMiB: escalated })).toBe(expected);
  });
});

describe('containerValue', () => {
  it.each<[name: string, ended: ContainerExit, lastLine: string, value: JsonValue | undefined]>([
    ['JSON object', exit(), '{"rows":3,"ok":true}', { rows: 3, ok: true }],
    ['JSON number', exit(), '42', 42],
    ['JSON list', exit(), '[1,"a"]', [1, 'a']],
    ['JSON null', exit(), 'null', null],
    ['JSON string', exit(), '"quoted"', 'quoted'],
    ['plain text', exit(), 'done: 3 rows', 'done: 3 rows'],
    ['text that starts like JSON', exit(), '{not json', '{not json'],
    ['no output', exit(), '', undefined],
  ])('exit 0 with %s', (_name, ended, lastLine, value) => {
    expect(containerValue('x', 256, ended, lastLine)).toEqual(value);
  });

  it.each<[name: string, ended: ContainerExit, message: string]>([
    [
      'killed for memory with a peak',
      exit({ exitCode: 137, outOfMemory: true, peakMemoryMiB: 300.4 }),
      'out_of_memory: container killed for exceeding its memory (exit 137) (limit 256 MiB, peak 300 MiB)',
    ],
    [
      'killed for memory by a signal',
      exit({ exitCode: null, signal: 'SIGKILL', outOfMemory: true }),
      'out_of_memory: container killed for exceeding its memory (exit SIGKILL) (limit 256 MiB)',
    ],
    [
      'killed for memory, nothing else known',
      exit({ exitCode: null, outOfMemory: true }),
      'out_of_memory: container killed for exceeding its memory (exit unknown) (limit 256 MiB)',
    ],
    [
      // The platform said OOM: the output of a half-finished process is not a result.
      'exit 0 but out of memory',
      exit({ exitCode: 0, outOfMemory: true }),
      'out_of_memory: container killed for exceeding its memory (exit 0) (limit 256 MiB)',
    ],
  ])('%s: OutOfMemoryError', (_name, ended, message) => {
    let thrown: unknown;
    try {
      containerValue('x', 256, ended, '{"partial":true}');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OutOfMemoryError);
    expect(thrown).toMatchObject({ message, limitMiB: 256, peakMiB: ended.peakMemoryMiB });
    expect(classifyThrown(thrown)).toEqual({
      kind: 'failed',
      reason: message,
      retryable: true,
      outOfMemory: true,
    });
  });

  it.each<[name: string, ended: ContainerExit, message: string]>([
    [
      'exit code with the stopped reason',
      exit({ exitCode: 1, stoppedReason: 'Essential container in task exited' }),
      'container of task "x" exited with code 1: Essential container in task exited',
    ],
    ['exit code alone', exit({ exitCode: 2 }), 'container of task "x" exited with code 2'],
    [
      'no exit code, a signal and a reason',
      exit({ exitCode: null, signal: 'SIGTERM', stoppedReason: 'Task stopped by user' }),
      'container of task "x" ended without an exit code (SIGTERM): Task stopped by user',
    ],
    ['no exit code at all', exit({ exitCode: null }), 'container of task "x" ended without an exit code'],
  ])('%s: an ordinary retryable failure', (_name, ended, message) => {
    let thrown: unknown;
    try {
      containerValue('x', 256, ended, 'ignored');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(OutOfMemoryError);
    expect(classifyThrown(thrown)).toEqual({ kind: 'failed', reason: message, retryable: true });
  });

  it('environmentDetails keeps only what is known', () => {
    expect(environmentDetails(exit())).toEqual({ runtime: 'ecs-fargate' });
    expect(
      environmentDetails(
        exit({ image: 'repo:tag', imageDigest: 'sha256:ab', peakMemoryMiB: 12, runtime: 'process' }),
      ),
    ).toEqual({ runtime: 'process', image: 'repo:tag', imageDigest: 'sha256:ab', peakMemoryMiB: 12 });
  });
});

describe('classifyThrown and out-of-memory reasons', () => {
  /** An error of another SDK copy: same name, different class. */
  const foreign = Object.assign(new Error('out_of_memory: heap (limit 512 MiB)'), {
    name: 'OutOfMemoryError',
  });

  it.each<[name: string, thrown: unknown, outcome: object]>([
    [
      'OutOfMemoryError',
      new OutOfMemoryError(512, 'JavaScript heap out of memory', 530.6),
      {
        kind: 'failed',
        reason: 'out_of_memory: JavaScript heap out of memory (limit 512 MiB, peak 531 MiB)',
        retryable: true,
        outOfMemory: true,
      },
    ],
    [
      'an OutOfMemoryError of another bundle, matched by name',
      foreign,
      { kind: 'failed', reason: foreign.message, retryable: true, outOfMemory: true },
    ],
    ['a plain Error', new Error('boom'), { kind: 'failed', reason: 'boom', retryable: true }],
    [
      'a RangeError',
      new RangeError('too far'),
      { kind: 'failed', reason: 'RangeError: too far', retryable: true },
    ],
    [
      'NonRetryableTaskError',
      new NonRetryableTaskError('stop'),
      { kind: 'failed', reason: 'stop', retryable: false },
    ],
  ])('%s', (_name, thrown, outcome) => {
    expect(classifyThrown(thrown)).toEqual(outcome);
  });

  it.each<[limit: number, detail: string, peak: number | undefined, reason: string]>([
    [256, 'killed', undefined, 'out_of_memory: killed (limit 256 MiB)'],
    [256, 'killed', 255.5, 'out_of_memory: killed (limit 256 MiB, peak 256 MiB)'],
    [1024, 'heap', 0, 'out_of_memory: heap (limit 1024 MiB, peak 0 MiB)'],
  ])('outOfMemoryReason(%i, %s, %s)', (limit, detail, peak, reason) => {
    expect(outOfMemoryReason(limit, detail, peak)).toBe(reason);
    expect(new OutOfMemoryError(limit, detail, peak).message).toBe(reason);
  });
});

describe('planRun: escalated and detached container instances', () => {
  /** a → b, `a` a container task of 256 MiB escalating to 1024, with `overrides`. */
  const dagWith = (overrides: Partial<TaskSpec> = {}) =>
    specOf({ tasks: [task({ ...overrides, taskId: 'a' }), t('b', ['a'])] });
  const stale = { startDate: ago(1000), heartbeatAt: ago(LIMITS.zombieAfterSeconds + 1) };
  const job = (tryNumber: number) => ({ externalJob: { tryNumber, id: 'arn:aws:ecs:task/abc' } });

  it.each<
    [name: string, spec: Partial<TaskSpec>, instance: TaskInstanceRecord, expected: string[], first?: object]
  >([
    [
      'an escalated retry is queued with its memory, even with retries 0',
      {},
      ti('a=up_for_retry', {
        memoryMiB: 512,
        nextRetryAt: NOW,
        reason: 'out_of_memory: killed (limit 256 MiB); retrying with 512 MiB (onOutOfMemory)',
      }),
      ['ready a'],
      { tryNumber: 2, memoryMiB: 512, reason: 'retry: attempt 2 with 512 MiB (onOutOfMemory escalation)' },
    ],
    [
      'an ordinary retry after an escalation keeps the escalated memory and says it is an ordinary retry',
      { retries: 3 },
      ti('a=up_for_retry', { tryNumber: 2, memoryMiB: 512, nextRetryAt: NOW, reason: 'HTTP 503' }),
      ['ready a'],
      { tryNumber: 3, memoryMiB: 512, reason: 'retry: attempt 3 of 4' },
    ],
    [
      'an escalated retry waits for its nextRetryAt like any other',
      {},
      ti('a=up_for_retry', { memoryMiB: 512, nextRetryAt: later(5) }),
      [],
    ],
    [
      'an ordinary retry keeps the task memory and its reason',
      { retries: 2 },
      ti('a=up_for_retry', { nextRetryAt: NOW }),
      ['ready a'],
      { tryNumber: 2, memoryMiB: 256, reason: 'retry: attempt 2 of 3' },
    ],
    [
      'a stale queued escalated attempt is re-sent with the escalated memory',
      {},
      ti('a=queued', { tryNumber: 2, memoryMiB: 1024, queuedAt: ago(LIMITS.requeueAfterSeconds + 1) }),
      ['resend a'],
      { kind: 'resend_task', tryNumber: 2, memoryMiB: 1024 },
    ],
    [
      'a running ECS task of this try without heartbeats is not a zombie',
      {},
      ti('a=running', { ...stale, ...job(1) }),
      [],
    ],
    [
      'an ECS task of an earlier try does not protect this one',
      { retries: 2 },
      ti('a=running', { tryNumber: 2, ...stale, ...job(1) }),
      ['fail a→up_for_retry'],
      { reason: expect.stringMatching(/^zombie: no heartbeat for \d+s/) },
    ],
    [
      'a running container without a job is a zombie when silent',
      {},
      ti('a=running', stale),
      ['fail a→failed', 'upstream_failed b', 'finish failed'],
    ],
    [
      'a non-container task with a job of this try is still a zombie',
      { operator: { kind: 'bash', command: 'true', env: {}, skipOnExitCode: [99] }, executor: 'lambda' },
      ti('a=running', { ...stale, ...job(1) }),
      ['fail a→failed', 'upstream_failed b', 'finish failed'],
    ],
    [
      'an ECS task past its execution timeout is failed',
      { executionTimeoutSeconds: 60 },
      ti('a=running', { ...stale, ...job(1) }),
      ['fail a→failed', 'upstream_failed b', 'finish failed'],
      { reason: 'execution_timeout: still running after 60s' },
    ],
  ])('%s', (_name, spec, instance, expected, first) => {
    const plan = planOf(dagWith(spec), [instance]);
    expect(summarizePlan(plan)).toEqual(expected);
    if (first) expect(plan.commands[0] ?? plan.ready[0]).toMatchObject(first);
  });

  it('leaves a note naming the ECS task it waits for', () => {
    const plan = planOf(dagWith(), [ti('a=running', { ...stale, ...job(1) })]);
    expect(plan.notes).toContainEqual({
      key: expect.objectContaining({ taskId: 'a' }),
      reason: 'running as ECS task arn:aws:ecs:task/abc',
    });
  });
});
