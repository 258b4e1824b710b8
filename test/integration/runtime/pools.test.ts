import { describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import type { RunStore } from '../../../functions/ports/run-store';
import type { TaskMessage } from '../../../functions/ports/task-queue';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';

const DAGS = 'test/fixtures/dags/pools';
const POOL_DAGS = ['pool_roots', 'pool_fanned'];

/** Memory ports whose store records, after every task-instance write, the warehouse slots held. */
async function setUp() {
  const ports = memoryPorts();
  const samples: number[] = [];
  const runs: { dagId: string; runId: string }[] = [];
  const held = async (store: RunStore) => {
    let slots = 0;
    for (const { dagId, runId } of runs) {
      for (const ti of await store.listTaskInstances(dagId, runId)) {
        if (ti.taskId.startsWith('load_') && (ti.state === 'queued' || ti.state === 'running')) slots++;
      }
    }
    return slots;
  };
  const store = ports.store;
  const update = store.updateTaskInstance.bind(store);
  store.updateTaskInstance = async (...args) => {
    const result = await update(...args);
    samples.push(await held(store));
    return result;
  };
  const harness = createHarness(ports);
  await publishDags(ports.bundles, DAGS);
  await store.putPool({ name: 'warehouse', slots: 2 }, 'create');
  for (const dagId of POOL_DAGS) {
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId });
    if (!result.ok) throw new Error(result.message);
    runs.push(result.run);
  }
  return { ports, harness, samples, runs, held: () => held(store) };
}

async function runIdOf(store: RunStore, dagId: string): Promise<string> {
  return (await store.listActiveRuns()).find((r) => r.dagId === dagId)!.runId;
}

describe('pools across runs and DAGs (scheduler and worker handlers over memory ports)', () => {
  it('a pool of 2 slots with 10 ready tasks across two runs of two DAGs never has more than 2 running', async () => {
    const { ports, harness, samples, runs, held } = await setUp();
    const pending: TaskMessage[] = [];
    for (let round = 0; round < 30; round++) {
      await harness.tick();
      samples.push(await held());
      pending.push(...(await ports.receive()));
      // One message per delivery, oldest first: queued work stays visible to the next tick.
      while (pending.length > 0) {
        await harness.deliver([pending.shift()!]);
        samples.push(await held());
        pending.push(...(await ports.receive()));
      }
      const states = await Promise.all(runs.map((r) => ports.store.getRun(r.dagId, r.runId)));
      if (states.every((r) => r?.state === 'success')) break;
    }
    expect(Math.max(...samples)).toBe(2);
    for (const run of runs) {
      const instances = await ports.store.listTaskInstances(run.dagId, run.runId);
      expect(instances.filter((ti) => ti.taskId.startsWith('load_') && ti.state === 'success')).toHaveLength(
        5,
      );
      expect((await ports.store.getRun(run.dagId, run.runId))?.state).toBe('success');
    }
  });

  it('keeps tasks waiting while the pool is full, and starts them once slots free', async () => {
    const { harness, held } = await setUp();
    await harness.tick();
    expect(await held()).toBe(2);
    // A second tick with nothing finished admits nothing more.
    const again = await harness.tick();
    expect(again.counts.queue_task ?? 0).toBe(0);
    expect(await held()).toBe(2);
    await harness.drain();
    expect(await held()).toBe(0);
    await harness.tick();
    expect(await held()).toBe(2);
  });

  it('says why a task waits: pool full, a task wider than its pool, a pool that does not exist', async () => {
    const { ports, harness } = await setUp();
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId: 'pool_misfits' });
    if (!result.ok) throw new Error(result.message);
    const report = await harness.tick();
    const waits = report.waits ?? [];
    expect(waits.filter((w) => w.includes('pool full'))).toHaveLength(3);
    const roots = await runIdOf(ports.store, 'pool_roots');
    expect(waits).toContain(
      `pool_roots/${roots}/load_2: pool full: "warehouse" has 0 of 2 slots free, needs 1`,
    );
    expect(waits).toContain(
      `pool_misfits/${result.run.runId}/wide: pool "warehouse" has 2 slots, fewer than the 3 this task needs; resize the pool or lower poolSlots`,
    );
    expect(waits).toContain(
      `pool_misfits/${result.run.runId}/lost: pool "nowhere" does not exist; create it or use another pool`,
    );
    // The waits are on the instances too (state unchanged), where `runs show` and the API read them.
    const load2 = { dagId: 'pool_roots', runId: roots, taskId: 'load_2', mapIndex: -1 };
    expect(await ports.store.getTaskInstance(load2)).toMatchObject({
      state: 'none',
      reason: 'pool full: "warehouse" has 0 of 2 slots free, needs 1',
    });
    const lost = { dagId: 'pool_misfits', runId: result.run.runId, taskId: 'lost', mapIndex: -1 };
    expect((await ports.store.getTaskInstance(lost))?.reason).toBe(
      'pool "nowhere" does not exist; create it or use another pool',
    );
    // An unchanged wait is not written again on the next tick.
    const writes = ports.store.updateTaskInstance.bind(ports.store);
    let rewrites = 0;
    ports.store.updateTaskInstance = async (key, expected, patch) => {
      if (key.taskId === 'wide') rewrites++;
      return writes(key, expected, patch);
    };
    await harness.tick();
    expect(rewrites).toBe(0);
    ports.store.updateTaskInstance = writes;
    await ports.store.putPool({ name: 'nowhere', slots: 1 }, 'create');
    await harness.drain();
    await harness.tick();
    await harness.drain();
    const states = Object.fromEntries(
      (await ports.store.listTaskInstances('pool_misfits', result.run.runId)).map((ti) => [
        ti.taskId,
        ti.state,
      ]),
    );
    expect(states).toEqual({ lost: 'success', wide: 'none' });
  });

  it('a shrunk default_pool is a hard cap: the worker leaves its tasks to the tick', async () => {
    const ports = memoryPorts();
    const harness = createHarness(ports);
    await publishDags(ports.bundles, 'test/fixtures/dags/runtime');
    await ports.store.setDagPaused('rt_daily', true);
    await ports.store.putPool({ name: 'default_pool', slots: 1 }, 'update');
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId: 'rt_diamond' });
    if (!result.ok) throw new Error(result.message);
    const { runId } = result.run;
    const active = async () =>
      (await ports.store.listTaskInstances('rt_diamond', runId)).filter(
        (ti) => ti.state === 'queued' || ti.state === 'running',
      ).length;
    for (let round = 0; round < 10; round++) {
      await harness.tick();
      expect(await active()).toBeLessThanOrEqual(1);
      for (let batch = 0; batch < 10; batch++) {
        const messages = await ports.receive();
        if (messages.length === 0) break;
        await harness.deliver(messages);
        expect(await active()).toBeLessThanOrEqual(1);
      }
    }
    expect((await ports.store.getRun('rt_diamond', runId))?.state).toBe('success');
  });
});
