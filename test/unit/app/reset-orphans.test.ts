import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../functions/adapters/memory/run-store';
import { resetOrphans } from '../../../functions/app/reset-orphans';

const NOW = '2024-05-01T00:00:00.000Z';
const clock = { now: () => NOW };

describe('resetOrphans: instances owned by a process that died', () => {
  it('returns queued and running instances of active runs to none, keeping their try number', async () => {
    const store = new MemoryRunStore();
    await store.createRun({
      dagId: 'd',
      runId: 'r',
      runType: 'manual',
      state: 'running',
      logicalDate: NOW,
      dataIntervalStart: NOW,
      dataIntervalEnd: NOW,
      runAfter: NOW,
      conf: {},
      bundleVersion: 'v',
      externalTrigger: true,
      queuedAt: NOW,
    });
    const key = (taskId: string) => ({ dagId: 'd', runId: 'r', taskId, mapIndex: -1 });
    await store.updateTaskInstance(
      key('running'),
      { state: 'none', tryNumber: 0 },
      { state: 'running', tryNumber: 2 },
    );
    await store.updateTaskInstance(
      key('queued'),
      { state: 'none', tryNumber: 0 },
      { state: 'queued', tryNumber: 1 },
    );
    await store.updateTaskInstance(
      key('done'),
      { state: 'none', tryNumber: 0 },
      { state: 'success', tryNumber: 1 },
    );
    expect(await resetOrphans({ store, clock })).toBe(2);
    expect(await store.getTaskInstance(key('running'))).toMatchObject({
      state: 'none',
      tryNumber: 2,
      reason: 'reset after a restart: attempt 2 was running when the process stopped',
    });
    expect(await store.getTaskInstance(key('queued'))).toMatchObject({ state: 'none', tryNumber: 1 });
    expect(await store.getTaskInstance(key('done'))).toMatchObject({ state: 'success' });
  });
});
