import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../functions/adapters/memory/run-store';
import { startGuards } from '../../../functions/app/attempt-guards';

const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };
const now = () => new Date().toISOString();

async function running(store: MemoryRunStore) {
  await store.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'queued', tryNumber: 1 });
  await store.updateTaskInstance(
    key,
    { state: 'queued', tryNumber: 1 },
    { state: 'running', heartbeatAt: now() },
  );
}

describe('attempt guards', () => {
  it('beats while the attempt owns its instance', async () => {
    const store = new MemoryRunStore();
    await running(store);
    const before = (await store.getTaskInstance(key))?.heartbeatAt;
    const guards = startGuards({ store, key, tryNumber: 1, now, heartbeatSeconds: 0.02 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    guards.stop();
    expect((await store.getTaskInstance(key))?.heartbeatAt).not.toBe(before);
    expect(guards.lost()).toBe(false);
  });

  it('aborts the attempt once its instance was taken away (cleared or failed as a zombie)', async () => {
    const store = new MemoryRunStore();
    await running(store);
    const guards = startGuards({ store, key, tryNumber: 1, now, heartbeatSeconds: 0.02 });
    await store.updateTaskInstance(key, { state: 'running', tryNumber: 1 }, { state: 'up_for_retry' });
    await expect(guards.aborted).rejects.toThrow(
      'attempt lost: the task instance was changed by someone else',
    );
    expect(guards.lost()).toBe(true);
    guards.stop();
  });

  it('aborts at the execution timeout and at the deadline, with distinct reasons', async () => {
    const store = new MemoryRunStore();
    const timeout = startGuards({ store, key, tryNumber: 1, now, executionTimeoutSeconds: 0.01 });
    await expect(timeout.aborted).rejects.toThrow('execution_timeout: exceeded 0.01s');
    const deadline = startGuards({ store, key, tryNumber: 1, now, deadlineAt: Date.now() + 10 });
    await expect(deadline.aborted).rejects.toThrow(/^worker_timeout: stopped before the Lambda deadline/);
    timeout.stop();
    deadline.stop();
  });
});
