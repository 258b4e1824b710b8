import { describe, expect, it } from 'vitest';
import { MemoryBundleStore } from '../../../functions/adapters/memory/bundle-store';
import { MemoryRunStore } from '../../../functions/adapters/memory/run-store';
import { serializeManifest } from '../../../functions/adapters/shared/manifest-codec';
import {
  applyClear,
  type ClearOptions,
  clearTaskInstances,
  MAX_CLEAR_RUNS,
  planClear,
  runsToClear,
  selectRuns,
} from '../../../functions/app/clear-task-instances';
import type { DagSpec } from '../../../functions/core/model';
import type { DagRunRecord, TaskInstanceRecord } from '../../../functions/core/records';
import type { DagRunState, TaskState } from '../../../functions/core/states';
import { dagSpec, taskSpec } from '../../helpers/specs';

/** start → (left, right) → join; `each` is mapped over `start`. */
const DAG: DagSpec = dagSpec('clear_me', {
  tasks: [
    taskSpec('join', { upstream: ['left', 'right'] }),
    taskSpec('left', { upstream: ['start'] }),
    taskSpec('right', { upstream: ['start'] }),
    taskSpec('start'),
    taskSpec('each', {
      upstream: ['start'],
      mapped: { over: { kind: 'xcom', taskId: 'start', key: 'return_value' } },
    }),
  ],
});

function runRecord(
  runId: string,
  state: DagRunState,
  logicalDate = '2024-01-01T00:00:00.000Z',
): DagRunRecord {
  return {
    dagId: 'clear_me',
    runId,
    runType: 'manual',
    state,
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: logicalDate,
    runAfter: logicalDate,
    conf: {},
    bundleVersion: 'v1',
    externalTrigger: true,
    queuedAt: logicalDate,
  };
}

/** Instances from `task[index]=state@try` shorthand. */
function records(runId: string, spec: string): TaskInstanceRecord[] {
  return spec.split(' ').map((item) => {
    const [, taskId, index, state, tryNumber] = /^(\w+)(?:\[(\d+)\])?=(\w+)@(\d+)$/.exec(item)!;
    return {
      dagId: 'clear_me',
      runId,
      taskId: taskId!,
      mapIndex: index === undefined ? -1 : Number(index),
      state: state as TaskState,
      tryNumber: Number(tryNumber),
    };
  });
}

const DEFAULTS: ClearOptions = {
  onlyFailed: true,
  onlyRunning: false,
  includeUpstream: false,
  includeDownstream: false,
  resetDagRuns: true,
};
const FAILED_RUN =
  'start=success@1 left=failed@2 right=success@1 join=upstream_failed@0 each[0]=success@1 each[1]=failed@1';

describe('planClear', () => {
  it.each<[string, Partial<ClearOptions>, string, string[]]>([
    ['failed and upstream_failed by default', {}, FAILED_RUN, ['left', 'each[1]', 'join']],
    [
      'every finished state with only_failed false',
      { onlyFailed: false },
      FAILED_RUN,
      ['start', 'left', 'right', 'each[0]', 'each[1]', 'join'],
    ],
    ['named tasks only', { onlyFailed: false, taskIds: [{ taskId: 'right' }] }, FAILED_RUN, ['right']],
    [
      'downstream relatives',
      { onlyFailed: false, taskIds: [{ taskId: 'left' }], includeDownstream: true },
      FAILED_RUN,
      ['left', 'join'],
    ],
    [
      'upstream relatives',
      { onlyFailed: false, taskIds: [{ taskId: 'join' }], includeUpstream: true },
      FAILED_RUN,
      ['start', 'left', 'right', 'join'],
    ],
    [
      'state filter on relatives too',
      { taskIds: [{ taskId: 'start' }], includeDownstream: true },
      FAILED_RUN,
      ['left', 'each[1]', 'join'],
    ],
    [
      'one map index',
      { onlyFailed: false, taskIds: [{ taskId: 'each', mapIndex: 0 }] },
      FAILED_RUN,
      ['each[0]'],
    ],
    [
      'a map index and the whole task',
      { onlyFailed: false, taskIds: [{ taskId: 'each', mapIndex: 0 }, { taskId: 'each' }] },
      FAILED_RUN,
      ['each[0]', 'each[1]'],
    ],
    ['unknown task ids select nothing', { onlyFailed: false, taskIds: [{ taskId: 'gone' }] }, FAILED_RUN, []],
    [
      'only running',
      { onlyFailed: false, onlyRunning: true },
      'start=success@1 left=running@1 right=queued@1',
      ['left'],
    ],
    [
      'in-flight states too',
      { onlyFailed: false },
      'start=success@1 left=up_for_retry@1 right=queued@1 join=scheduled@0',
      ['start', 'left', 'right', 'join'],
    ],
    ['nothing to reset in none', { onlyFailed: false }, 'start=success@1 left=none@1', ['start']],
  ])('clears %s', (_name, options, spec, expected) => {
    const plan = planClear([{ run: runRecord('r', 'failed'), dag: DAG, instances: records('r', spec) }], {
      ...DEFAULTS,
      ...options,
    });
    expect(
      plan.instances.map((i) => (i.key.mapIndex >= 0 ? `${i.key.taskId}[${i.key.mapIndex}]` : i.key.taskId)),
    ).toEqual(expected);
  });

  it('expects each instance in the state and try number it read', () => {
    const plan = planClear(
      [{ run: runRecord('r', 'failed'), dag: DAG, instances: records('r', FAILED_RUN) }],
      DEFAULTS,
    );
    expect(plan.instances[0]).toMatchObject({
      key: { taskId: 'left', mapIndex: -1 },
      from: 'failed',
      tryNumber: 2,
    });
  });

  it.each<[DagRunState, boolean, string, boolean]>([
    ['failed', true, FAILED_RUN, true],
    ['success', true, 'start=success@1', false], // nothing failed: nothing cleared, run untouched
    ['running', true, FAILED_RUN, false],
    ['queued', true, FAILED_RUN, false],
    ['failed', false, FAILED_RUN, false],
  ])('a %s run with reset_dag_runs %s and %s is queued again: %s', (state, resetDagRuns, spec, reset) => {
    const plan = planClear([{ run: runRecord('r', state), dag: DAG, instances: records('r', spec) }], {
      ...DEFAULTS,
      resetDagRuns,
    });
    expect(plan.runs.map((r) => r.from)).toEqual(reset ? [state] : []);
  });
});

describe('applyClear', () => {
  async function seeded(spec = FAILED_RUN, state: DagRunState = 'failed') {
    const store = new MemoryRunStore();
    const run = runRecord('r', state);
    await store.createRun(run);
    for (const ti of records('r', spec)) {
      await store.updateTaskInstance(
        ti,
        { state: 'none', tryNumber: 0 },
        { state: ti.state, tryNumber: ti.tryNumber },
      );
    }
    return { store, run };
  }

  it('resets instances to none keeping their try number, then queues the run', async () => {
    const { store, run } = await seeded();
    const plan = planClear(
      [{ run, dag: DAG, instances: await store.listTaskInstances('clear_me', 'r') }],
      DEFAULTS,
    );
    const result = await applyClear(store, plan, '2024-02-01T00:00:00.000Z');
    expect(result.stale).toEqual([]);
    expect(result.cleared).toHaveLength(3);
    const left = await store.getTaskInstance({ dagId: 'clear_me', runId: 'r', taskId: 'left', mapIndex: -1 });
    expect(left).toMatchObject({ state: 'none', tryNumber: 2, reason: 'cleared (was failed, try 2)' });
    expect(await store.getRun('clear_me', 'r')).toMatchObject({
      state: 'queued',
      queuedAt: '2024-02-01T00:00:00.000Z',
      reason: 'cleared 3 task instances; queued again (was failed)',
    });
  });

  it('leaves an instance that changed since the read, and a run none of whose instances it cleared', async () => {
    const { store, run } = await seeded('left=failed@1');
    const plan = planClear(
      [{ run, dag: DAG, instances: await store.listTaskInstances('clear_me', 'r') }],
      DEFAULTS,
    );
    const key = { dagId: 'clear_me', runId: 'r', taskId: 'left', mapIndex: -1 };
    await store.updateTaskInstance(key, { state: 'failed', tryNumber: 1 }, { state: 'none' }); // another clear won
    const result = await applyClear(store, plan, '2024-02-01T00:00:00.000Z');
    expect(result.cleared).toEqual([]);
    expect(result.stale).toEqual([expect.stringMatching(/is none \(try 1\), expected failed \(try 1\)/)]);
    expect((await store.getRun('clear_me', 'r'))?.state).toBe('failed');
  });

  it('reports a run that changed state since the read as stale', async () => {
    const { store, run } = await seeded('left=failed@1');
    const plan = planClear(
      [{ run, dag: DAG, instances: await store.listTaskInstances('clear_me', 'r') }],
      DEFAULTS,
    );
    await store.updateRun('clear_me', 'r', 'failed', { state: 'success' });
    const result = await applyClear(store, plan, '2024-02-01T00:00:00.000Z');
    expect(result.cleared).toHaveLength(1);
    expect(result.resetRuns).toEqual([]);
    expect(result.stale).toEqual([expect.stringMatching(/run clear_me\/r is success, expected failed/)]);
  });
});

describe('clearTaskInstances', () => {
  async function deps() {
    const store = new MemoryRunStore();
    const bundles = new MemoryBundleStore();
    const manifest = serializeManifest({ schemaVersion: 1, version: 'v1', dags: [DAG] });
    await bundles.publish('v1', new Map([['manifest.json', new TextEncoder().encode(manifest)]]));
    const clock = { now: () => '2024-02-01T00:00:00.000Z' };
    return { store, bundles, clock };
  }

  it('writes nothing in a dry run, and clears the same instances for real', async () => {
    const d = await deps();
    const run = runRecord('r', 'failed');
    await d.store.createRun(run);
    for (const ti of records('r', FAILED_RUN)) {
      await d.store.updateTaskInstance(
        ti,
        { state: 'none', tryNumber: 0 },
        { state: ti.state, tryNumber: ti.tryNumber },
      );
    }
    const before = await d.store.listTaskInstances('clear_me', 'r');
    const dry = await clearTaskInstances(d, [run], { ...DEFAULTS, dryRun: true });
    expect(await d.store.listTaskInstances('clear_me', 'r')).toEqual(before);
    expect(dry.resetRuns.map((r) => r.runId)).toEqual(['r']);
    const real = await clearTaskInstances(d, [run], { ...DEFAULTS, dryRun: false });
    expect(real.cleared.map((c) => c.key)).toEqual(dry.cleared.map((c) => c.key));
    expect(real.resetRuns[0]?.state).toBe('queued');
  });

  it('skips a run whose bundle version is gone', async () => {
    const d = await deps();
    const orphan = { ...runRecord('old', 'failed'), bundleVersion: 'deleted' };
    const result = await clearTaskInstances(d, [orphan], { ...DEFAULTS, dryRun: true });
    expect(result.skippedRuns).toEqual([
      { runId: 'old', reason: 'bundle deleted of the run has no DAG clear_me' },
    ]);
  });
});

describe('selectRuns', () => {
  async function storeWithRuns(count: number) {
    const store = new MemoryRunStore();
    for (let day = 0; day < count; day++) {
      const date = new Date(Date.UTC(2024, 0, 1 + day)).toISOString();
      await store.createRun(runRecord(`r${day}`, 'success', date));
    }
    return store;
  }

  it('picks the runs inside the window, newest first, ends inclusive', async () => {
    const store = await storeWithRuns(10);
    const window = { start: '2024-01-03T00:00:00.000Z', end: '2024-01-05T00:00:00.000Z' };
    expect((await selectRuns(store, 'clear_me', window)).map((r) => r.runId)).toEqual(['r4', 'r3', 'r2']);
    expect(
      (await selectRuns(store, 'clear_me', { end: '2024-01-02T00:00:00.000Z' })).map((r) => r.runId),
    ).toEqual(['r1', 'r0']);
    expect(await selectRuns(store, 'clear_me', { start: '2025-01-01T00:00:00.000Z' })).toEqual([]);
    expect(await selectRuns(store, 'other', {})).toEqual([]);
  });

  it(`stops at the newest ${MAX_CLEAR_RUNS} runs`, async () => {
    const store = await storeWithRuns(MAX_CLEAR_RUNS + 30);
    const runs = await selectRuns(store, 'clear_me', {});
    expect(runs).toHaveLength(MAX_CLEAR_RUNS);
    expect(runs[0]?.runId).toBe(`r${MAX_CLEAR_RUNS + 29}`);
    const older = await selectRuns(store, 'clear_me', { end: '2024-01-20T00:00:00.000Z' });
    expect(older.map((r) => r.runId).slice(0, 2)).toEqual(['r19', 'r18']);
    expect(older).toHaveLength(20);
  });

  it.each<
    [
      string,
      { named?: number; startDate?: number; endDate?: number; past?: boolean; future?: boolean },
      string[],
    ]
  >([
    ['a named run alone', { named: 5 }, ['r5']],
    ['a named run and the earlier ones', { named: 2, past: true }, ['r2', 'r1', 'r0']],
    ['a named run and the later ones', { named: 7, future: true }, ['r9', 'r8', 'r7']],
    [
      'a named run, past and future',
      { named: 7, past: true, future: true },
      ['r9', 'r8', 'r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0'],
    ],
    ['a date range', { startDate: 3, endDate: 4 }, ['r4', 'r3']],
    ['a date range widened by include_future', { startDate: 8, endDate: 8, future: true }, ['r9', 'r8']],
  ])('runsToClear selects %s', async (_name, given, expected) => {
    const store = await storeWithRuns(10);
    const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString();
    const named = given.named === undefined ? undefined : await store.getRun('clear_me', `r${given.named}`);
    const runs = await runsToClear(store, 'clear_me', {
      ...(named && { named }),
      ...(given.startDate !== undefined && { startDate: day(given.startDate) }),
      ...(given.endDate !== undefined && { endDate: day(given.endDate) }),
      includePast: given.past ?? false,
      includeFuture: given.future ?? false,
    });
    expect(runs.map((r) => r.runId)).toEqual(expected);
  });
});
