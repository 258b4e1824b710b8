import { describe, expect, it } from 'vitest';
import type { MemoryLogSink } from '../../../functions/adapters/memory/log-sink';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';

const DAGS = 'test/fixtures/dags/runtime';

async function setUp(options: Parameters<typeof createHarness>[1] & { scheduled?: boolean } = {}) {
  const ports = memoryPorts();
  const harness = createHarness(ports, options);
  await publishDags(ports.bundles, DAGS);
  // The scheduled DAG catches up on every first tick; most scenarios want only their own run.
  if (!options.scheduled) await ports.store.setDagPaused('rt_daily', true);
  const trigger = async (dagId: string) => {
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId });
    if (!result.ok) throw new Error(result.message);
    return result.run;
  };
  const states = async (dagId: string, runId: string) =>
    Object.fromEntries(
      (await ports.store.listTaskInstances(dagId, runId)).map((ti) => [ti.taskId, ti.state]),
    );
  return { ports, harness, trigger, states };
}

describe('scheduler and worker handlers over ports (memory adapters)', () => {
  it('runs a triggered DAG end to end with one tick: downstream tasks dispatched by the workers', async () => {
    const { ports, harness, trigger, states } = await setUp();
    const run = await trigger('rt_linear');
    const report = await harness.tick();
    expect(report.counts).toMatchObject({ start_run: 1, queue_task: 1 });
    await harness.drain();
    expect(await states('rt_linear', run.runId)).toEqual({
      extract: 'success',
      total: 'success',
      report: 'success',
    });
    expect((await ports.store.getRun('rt_linear', run.runId))?.state).toBe('success');
    const reportKey = { dagId: 'rt_linear', runId: run.runId, taskId: 'report', mapIndex: -1 };
    expect(await ports.xcom.pull(reportKey, 'return_value')).toBe(`${run.runId}: 6`);
    expect((ports.logs as MemoryLogSink).text({ ...reportKey, taskId: 'extract' }, 1)).toContain(
      'extracting for',
    );
    // The metrics the dashboard and the failed-runs alarm read.
    expect(harness.metrics.named('RunsFinished')).toEqual([
      { name: 'RunsFinished', state: 'success', dagId: 'rt_linear', runId: run.runId },
    ]);
    expect(harness.metrics.named('TaskAttempts').map((e) => `${e.key.taskId}:${e.outcome}`)).toEqual([
      'extract:success',
      'total:success',
      'report:success',
    ]);
    const latencies = harness.metrics.named('DispatchLatency');
    expect(latencies.map((e) => e.key.taskId)).toEqual(['extract', 'total', 'report']);
    for (const e of latencies) expect(e.milliseconds).toBeGreaterThanOrEqual(0);
  });

  it('catches up scheduled intervals once: a second tick creates nothing', async () => {
    const { ports, harness } = await setUp({ scheduled: true });
    const first = await harness.tick();
    expect(first.counts.create_run).toBe(3);
    await harness.drain();
    const second = await harness.tick();
    expect(second.counts.create_run ?? 0).toBe(0);
    const runs = (await ports.store.listActiveRuns()).filter((r) => r.dagId === 'rt_daily');
    expect(runs).toEqual([]);
    const stamp = await ports.xcom.pull(
      { dagId: 'rt_daily', runId: 'scheduled__2024-01-01T00:00:00+00:00', taskId: 'stamp', mapIndex: -1 },
      'return_value',
    );
    expect(stamp).toEqual({
      ds: '2024-01-01',
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-02T00:00:00.000Z',
    });
  });

  it('drops a duplicate delivery: one attempt per try number', async () => {
    const { ports, harness, trigger } = await setUp();
    const run = await trigger('rt_linear');
    await harness.tick();
    const [message] = await ports.receive();
    await Promise.all([harness.deliver([message!]), harness.deliver([message!])]);
    const logs = ports.logs as MemoryLogSink;
    const key = { dagId: 'rt_linear', runId: run.runId, taskId: 'extract', mapIndex: -1 };
    expect(logs.text(key, 1).match(/starting attempt/g)).toHaveLength(1);
    expect(await ports.store.getTaskInstance(key)).toMatchObject({ state: 'success', tryNumber: 1 });
  });

  it('repairs a crash between the state write and the SQS send: the tick re-sends', async () => {
    const { ports, harness, trigger, states } = await setUp({ limits: { requeueAfterSeconds: 60 } });
    const run = await trigger('rt_linear');
    const send = ports.queue.send.bind(ports.queue);
    ports.queue.send = async () => {
      throw new Error('network down');
    };
    await expect(harness.tick()).rejects.toThrow('network down');
    ports.queue.send = send;
    expect(await states('rt_linear', run.runId)).toEqual({ extract: 'queued' });
    expect((await harness.tick()).counts.resend_task ?? 0).toBe(0); // not yet overdue
    harness.clock.advance(61);
    expect((await harness.tick()).counts.resend_task).toBe(1);
    await harness.drain();
    expect((await ports.store.getRun('rt_linear', run.runId))?.state).toBe('success');
  });

  it('lets two overlapping ticks create, start and queue everything exactly once', async () => {
    const { ports, harness, trigger } = await setUp({ scheduled: true });
    await trigger('rt_diamond');
    const reports = await Promise.all([harness.tick(), harness.tick()]);
    expect(reports.reduce((n, r) => n + (r.counts.create_run ?? 0), 0)).toBe(3);
    expect(reports.reduce((n, r) => n + (r.counts.start_run ?? 0), 0)).toBe(4);
    const sent = ports.queue.sent.map((m) => `${m.dagId}/${m.runId}/${m.taskId}`);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('queues the join exactly once when both sides finish in the same batch', async () => {
    const { ports, harness, trigger, states } = await setUp();
    const run = await trigger('rt_diamond');
    await harness.tick();
    await harness.deliver(); // start → left and right queued
    const sides = await ports.receive();
    expect(sides.map((m) => m.taskId).sort()).toEqual(['left', 'right']);
    await harness.deliver(sides); // both sides run concurrently
    const joins = ports.queue.sent.filter((m) => m.taskId === 'join');
    expect(joins).toHaveLength(1);
    await harness.drain();
    expect(await states('rt_diamond', run.runId)).toMatchObject({ join: 'success' });
    const join = { dagId: 'rt_diamond', runId: run.runId, taskId: 'join', mapIndex: -1 };
    expect(await ports.xcom.pull(join, 'return_value')).toBe('L+R');
  });

  it('fails a zombie (worker died mid-task) and retries it on the next attempt', async () => {
    const { ports, harness, trigger } = await setUp({ limits: { zombieAfterSeconds: 300 } });
    const run = await trigger('rt_retried');
    await harness.tick();
    const [message] = await ports.receive();
    const key = { dagId: 'rt_retried', runId: run.runId, taskId: 'steady', mapIndex: -1 };
    // A worker claims the attempt and dies: no result, no more heartbeats.
    await ports.store.updateTaskInstance(
      key,
      { state: 'queued', tryNumber: 1 },
      {
        state: 'running',
        startDate: harness.clock.now(),
        heartbeatAt: harness.clock.now(),
      },
    );
    harness.clock.advance(301);
    await harness.tick();
    expect(await ports.store.getTaskInstance(key)).toMatchObject({ state: 'up_for_retry', tryNumber: 1 });
    expect((await ports.store.getTaskInstance(key))?.reason).toMatch(/^zombie: no heartbeat for 301s/);
    await harness.deliver([message!]); // the dead worker's message, redelivered: stale, dropped
    harness.clock.advance(11);
    await harness.tick();
    await harness.drain();
    expect(await ports.store.getTaskInstance(key)).toMatchObject({ state: 'success', tryNumber: 2 });
    expect(await ports.xcom.pull(key, 'return_value')).toBe('try 2');
    // The zombie's end is counted by the tick that declared it, the retry by its worker.
    expect(harness.metrics.named('TaskAttempts').map((e) => `${e.outcome}#${e.tryNumber}`)).toEqual([
      'up_for_retry#1',
      'success#2',
    ]);
  });

  it('fails a task that exceeds its execution timeout, with that reason', async () => {
    const { ports, harness, trigger } = await setUp();
    const run = await trigger('rt_timeout');
    await harness.tick();
    await harness.drain();
    const key = { dagId: 'rt_timeout', runId: run.runId, taskId: 'sleepy', mapIndex: -1 };
    expect(await ports.store.getTaskInstance(key)).toMatchObject({
      state: 'failed',
      reason: 'execution_timeout: exceeded 0.2s',
    });
    expect((await ports.store.getRun('rt_timeout', run.runId))?.state).toBe('failed');
  });
});
