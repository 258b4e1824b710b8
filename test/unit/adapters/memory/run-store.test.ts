import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../../functions/adapters/memory/run-store';
import { RunAlreadyExistsError, StaleTransitionError } from '../../../../functions/ports/errors';

const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };

describe('MemoryRunStore: conditional semantics the DynamoDB adapter must share', () => {
  it('treats a missing instance as none at try 0, and only that', async () => {
    const store = new MemoryRunStore();
    await expect(
      store.updateTaskInstance(key, { state: 'queued', tryNumber: 1 }, { state: 'running' }),
    ).rejects.toThrow(StaleTransitionError);
    const created = await store.updateTaskInstance(
      key,
      { state: 'none', tryNumber: 0 },
      { state: 'queued', tryNumber: 1 },
    );
    expect(created).toMatchObject({ ...key, state: 'queued', tryNumber: 1 });
  });

  it('lets exactly one of two claims of the same try win', async () => {
    const store = new MemoryRunStore();
    await store.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'queued', tryNumber: 1 });
    const claims = await Promise.allSettled([
      store.updateTaskInstance(key, { state: 'queued', tryNumber: 1 }, { state: 'running' }),
      store.updateTaskInstance(key, { state: 'queued', tryNumber: 1 }, { state: 'running' }),
    ]);
    expect(claims.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses a second run with the same id or logical date', async () => {
    const store = new MemoryRunStore();
    const run = {
      dagId: 'd',
      runId: 'a',
      runType: 'manual' as const,
      state: 'queued' as const,
      logicalDate: '2024-01-01T00:00:00.000Z',
      dataIntervalStart: '2024-01-01T00:00:00.000Z',
      dataIntervalEnd: '2024-01-01T00:00:00.000Z',
      runAfter: '2024-01-01T00:00:00.000Z',
      conf: {},
      bundleVersion: 'v',
      externalTrigger: true,
      queuedAt: '2024-01-01T00:00:00.000Z',
    };
    await store.createRun(run);
    await expect(store.createRun(run)).rejects.toThrow(RunAlreadyExistsError);
    await expect(store.createRun({ ...run, runId: 'b' })).rejects.toThrow(RunAlreadyExistsError);
    await expect(store.updateRun('d', 'a', 'running', { state: 'success' })).rejects.toThrow(
      StaleTransitionError,
    );
  });

  it('copies records so callers cannot alias stored state', async () => {
    const store = new MemoryRunStore();
    const written = await store.updateTaskInstance(
      key,
      { state: 'none', tryNumber: 0 },
      { state: 'queued', tryNumber: 1 },
    );
    written.state = 'success';
    expect((await store.getTaskInstance(key))?.state).toBe('queued');
  });
});
