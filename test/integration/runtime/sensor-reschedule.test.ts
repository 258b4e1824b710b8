import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryBundleStore } from '../../../functions/adapters/memory/bundle-store';
import { applyCommands } from '../../../functions/app/apply-commands';
import { clearTaskInstances } from '../../../functions/app/clear-task-instances';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import type { JsonValue } from '../../../functions/core/model';
import { buildBundle, bundleFiles } from '../../../scripts/bundle';
import { createHarness, ManualClock, memoryPorts } from '../../helpers/runtime-harness';

// Built and loaded once: every test gets fresh run state, queue and logs, but the same bundle
// store, so its worker imports the DAG module once (each run counts its own pokes).
const bundles = new MemoryBundleStore();
beforeAll(async () => {
  const built = await buildBundle({ dagsFolder: 'test/fixtures/dags/sensors' });
  if (!built.ok) throw new Error(built.problems.map((p) => p.message).join('\n'));
  await bundles.publish(built.manifest.version, bundleFiles(built));
});

const pokesByRun = () =>
  ((globalThis as Record<string, unknown>).__sensorPokes as Map<string, number> | undefined) ?? new Map();

/** Ports and handlers whose queue delays follow the harness clock, so 1 s intervals take no real time. */
async function setUp(conf: Record<string, JsonValue> = {}) {
  const clock = new ManualClock();
  const ports = { ...memoryPorts(clock), bundles };
  const harness = createHarness(ports, { clock });
  const result = await triggerDagRun({ ...ports, clock }, { dagId: 'rt_sensor', conf });
  if (!result.ok) throw new Error(result.message);
  const run = result.run;
  const key = { dagId: 'rt_sensor', runId: run.runId, taskId: 'wait', mapIndex: -1 };
  const sensorTi = async () => (await ports.store.getTaskInstance(key))!;
  return { clock, ports, harness, run, key, sensorTi, pokes: () => pokesByRun().get(run.runId) ?? 0 };
}

describe('sensors in reschedule mode hold no worker between pokes', () => {
  it('pokes ten times in ten invocations at try 1, idle in between, then succeeds with its XCom', async () => {
    const { clock, ports, harness, run, key, sensorTi, pokes } = await setUp();
    await harness.tick();
    for (let poke = 1; poke <= 9; poke++) {
      await harness.drain();
      expect(await sensorTi()).toMatchObject({ state: 'up_for_reschedule', tryNumber: 1, pokeCount: poke });
      // Each poke was its own invocation, and none is running while the sensor waits.
      expect(harness.invocations).toEqual({ total: poke, inFlight: 0 });
      expect(pokes()).toBe(poke);
      // The only message is the next poke's wake-up, not yet visible.
      expect(ports.queue.size).toBe(1);
      expect(await ports.receive()).toEqual([]);
      clock.advance(1);
    }
    await harness.drain();
    expect(await sensorTi()).toMatchObject({
      state: 'success',
      tryNumber: 1,
      pokeCount: 10,
      reason: 'condition met at poke 10',
    });
    expect(pokes()).toBe(10);
    expect(await ports.xcom.pull(key, 'return_value')).toBe(10);
    expect(await ports.xcom.pull({ ...key, taskId: 'after' }, 'return_value')).toBe('met after 10 pokes');
    expect((await ports.store.getRun('rt_sensor', run.runId))?.state).toBe('success');
    // Ten pokes and the downstream task: eleven invocations, all but the first poke woken by the worker.
    expect(harness.invocations.total).toBe(11);
    expect(ports.queue.sent.filter((m) => m.taskId === 'wait')).toHaveLength(10);
    // One log for the try, every poke in it and numbered (as Airflow keeps reschedule pokes).
    const starts = ports.logs.text(key, 1).match(/starting attempt 1 of 1 of wait \(sensor\)(, poke \d+)?/g);
    expect(starts).toHaveLength(10);
    expect(starts?.at(0)).toBe('starting attempt 1 of 1 of wait (sensor)');
    expect(starts?.at(-1)).toBe('starting attempt 1 of 1 of wait (sensor), poke 10');
  });

  it('runs one poke when the delayed wake-up and the tick both fire for it', async () => {
    const { clock, ports, harness, sensorTi, pokes } = await setUp();
    await harness.tick();
    await harness.drain();
    expect(await sensorTi()).toMatchObject({ state: 'up_for_reschedule', pokeCount: 1 });
    clock.advance(1);
    // The tick queues the due poke too; the wake-up and the tick's message arrive in one batch.
    expect((await harness.tick()).counts.queue_task).toBe(1);
    const both = await ports.receive();
    expect(both).toHaveLength(2);
    await harness.deliver(both);
    expect(pokes()).toBe(2);
    expect(await sensorTi()).toMatchObject({ state: 'up_for_reschedule', tryNumber: 1, pokeCount: 2 });
  });

  it('refuses a tick write read before the wake-up poked, and a duplicate wake-up of a poke already run', async () => {
    const { clock, ports, harness, run, key, sensorTi, pokes } = await setUp();
    await harness.tick();
    await harness.drain();
    clock.advance(1);
    const wakeUp = await ports.receive();
    // The tick plans poke 2 (pinned to poke count 1) …
    const queueAtOne = {
      kind: 'queue_task' as const,
      key,
      from: 'up_for_reschedule' as const,
      tryNumber: 1,
      memoryMiB: 1024,
      pokeCount: 1,
      reason: 'reschedule: next poke is due',
    };
    // … but the wake-up runs poke 2 first: the tick's write, read before, must lose.
    await harness.deliver(wakeUp);
    expect(pokes()).toBe(2);
    const report = await applyCommands(ports.store, [queueAtOne], clock.now());
    expect(report.stale).toHaveLength(1);
    // And a late duplicate of a wake-up finds the next poke not yet due: dropped, no poke.
    await harness.deliver(wakeUp);
    expect(pokes()).toBe(2);
    expect(await sensorTi()).toMatchObject({ state: 'up_for_reschedule', pokeCount: 2 });
    expect((await ports.store.getRun('rt_sensor', run.runId))?.state).toBe('running');
  });

  it('loses nothing when the wake-up cannot be sent: the tick queues the due poke', async () => {
    const { clock, ports, harness, sensorTi, pokes } = await setUp({ done_after: 2 });
    const send = ports.queue.send.bind(ports.queue);
    ports.queue.send = async (messages, options) => {
      if (options?.delaySeconds) throw new Error('SQS is down');
      return send(messages, options);
    };
    await harness.tick();
    await harness.drain();
    expect(await sensorTi()).toMatchObject({ state: 'up_for_reschedule', pokeCount: 1 });
    expect(ports.queue.size).toBe(0);
    clock.advance(1);
    await harness.tick();
    await harness.drain();
    expect(pokes()).toBe(2);
    expect(await sensorTi()).toMatchObject({ state: 'success', pokeCount: 2 });
  });

  it('resets the poke state on clear: the next try counts its pokes and timeout from its own first poke', async () => {
    const { clock, ports, harness, run, sensorTi } = await setUp();
    await harness.tick();
    for (let poke = 1; poke <= 3; poke++) {
      await harness.drain();
      clock.advance(1);
    }
    const before = await sensorTi();
    expect(before).toMatchObject({ state: 'up_for_reschedule', tryNumber: 1, pokeCount: 3 });
    const options = {
      taskIds: [{ taskId: 'wait' }],
      onlyFailed: false,
      onlyRunning: false,
      includeUpstream: false,
      includeDownstream: false,
      resetDagRuns: true,
      dryRun: false,
    };
    const cleared = await clearTaskInstances({ ...ports, clock }, [run], options);
    expect(cleared.cleared).toHaveLength(1);
    expect(await sensorTi()).toMatchObject({ state: 'none', tryNumber: 1, pokeCount: 0, firstPokeAt: null });
    clock.advance(5);
    // The try-1 wake-up still in the queue is dropped; the tick starts try 2 at its first poke.
    await harness.tick();
    await harness.drain();
    const after = await sensorTi();
    expect(after).toMatchObject({ state: 'up_for_reschedule', tryNumber: 2, pokeCount: 1 });
    expect(Date.parse(after.firstPokeAt!)).toBeGreaterThan(Date.parse(before.firstPokeAt!));
  });
});
