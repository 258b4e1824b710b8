import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../functions/adapters/memory/run-store';
import { applyCommands } from '../../../functions/app/apply-commands';
import type { Command } from '../../../functions/core/planner/commands';
import type { DagRunRecord } from '../../../functions/core/records';

const NOW = '2024-05-01T00:00:00.000Z';
const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };
const run: DagRunRecord = {
  dagId: 'd',
  runId: 'r',
  runType: 'manual',
  state: 'queued',
  logicalDate: NOW,
  dataIntervalStart: NOW,
  dataIntervalEnd: NOW,
  runAfter: NOW,
  conf: {},
  bundleVersion: 'v1',
  externalTrigger: true,
  queuedAt: NOW,
};

describe('applyCommands: the one applier of planner decisions', () => {
  it('writes queue, start and finish in order and lists what to dispatch', async () => {
    const store = new MemoryRunStore();
    await store.createRun(run);
    const commands: Command[] = [
      { kind: 'start_run', dagId: 'd', runId: 'r', reason: 'slot free' },
      { kind: 'queue_task', key, from: 'none', tryNumber: 1, memoryMiB: 2048, reason: 'ready' },
    ];
    const report = await applyCommands(store, commands, NOW);
    expect(report.stale).toEqual([]);
    expect(report.dispatch).toEqual([{ key, tryNumber: 1, memoryMiB: 2048 }]);
    expect(await store.getTaskInstance(key)).toMatchObject({
      state: 'queued',
      tryNumber: 1,
      queuedAt: NOW,
      reason: 'ready',
    });
    expect((await store.getRun('d', 'r'))?.state).toBe('running');
  });

  it('counts a lost condition as stale instead of failing: a concurrent planner queued it first', async () => {
    const store = new MemoryRunStore();
    const queue: Command = {
      kind: 'queue_task',
      key,
      from: 'none',
      tryNumber: 1,
      memoryMiB: 2048,
      reason: 'ready',
    };
    await applyCommands(store, [queue], NOW);
    const second = await applyCommands(store, [queue], NOW);
    expect(second.stale).toEqual([queue]);
    expect(second.dispatch).toEqual([]);
  });

  it('retries re-queue from up_for_retry with the next try number', async () => {
    const store = new MemoryRunStore();
    await store.updateTaskInstance(
      key,
      { state: 'none', tryNumber: 0 },
      { state: 'up_for_retry', tryNumber: 1 },
    );
    const report = await applyCommands(
      store,
      [{ kind: 'queue_task', key, from: 'up_for_retry', tryNumber: 2, memoryMiB: 1024, reason: 'retry' }],
      NOW,
    );
    expect(report.applied).toHaveLength(1);
    expect(await store.getTaskInstance(key)).toMatchObject({ state: 'queued', tryNumber: 2 });
  });

  it('refuses a transition the state machine does not allow (a planner bug, not a race)', async () => {
    const store = new MemoryRunStore();
    const illegal: Command = { kind: 'skip_task', key, from: 'success', reason: 'nonsense' };
    await expect(applyCommands(store, [illegal], NOW)).rejects.toThrow(
      'illegal task transition success → skipped in skip_task: nonsense',
    );
  });

  it('creates scheduled runs queued, pinned to the bundle version, and refuses duplicates as stale', async () => {
    const store = new MemoryRunStore();
    const create: Command = {
      kind: 'create_run',
      dagId: 'd',
      runId: 'scheduled__x',
      logicalDate: NOW,
      dataInterval: { start: NOW, end: '2024-05-02T00:00:00.000Z' },
      runAfter: '2024-05-02T00:00:00.000Z',
      bundleVersion: 'v7',
      reason: 'due',
    };
    expect((await applyCommands(store, [create], NOW)).applied).toHaveLength(1);
    expect(await store.getRun('d', 'scheduled__x')).toMatchObject({
      state: 'queued',
      bundleVersion: 'v7',
      runType: 'scheduled',
    });
    expect((await applyCommands(store, [create], NOW)).stale).toEqual([create]);
  });

  it('expands a mapped task into none instances at every index', async () => {
    const store = new MemoryRunStore();
    await applyCommands(
      store,
      [{ kind: 'expand_task', dagId: 'd', runId: 'r', taskId: 'm', count: 3, reason: 'x' }],
      NOW,
    );
    const instances = await store.listTaskInstances('d', 'r');
    expect(instances.map((i) => [i.mapIndex, i.state])).toEqual([
      [0, 'none'],
      [1, 'none'],
      [2, 'none'],
    ]);
  });
});
