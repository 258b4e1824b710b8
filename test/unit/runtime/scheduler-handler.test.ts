import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSchedulerHandler } from '../../../functions/runtime/handlers/scheduler-handler';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';

const scheduledEvent = JSON.parse(readFileSync('test/fixtures/events/eventbridge-scheduled.json', 'utf8'));
const ecsEvent = JSON.parse(readFileSync('test/fixtures/events/ecs-task-state-change.json', 'utf8'));

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** A scheduler handler over memory ports with the runtime fixtures published, its log lines captured. */
async function published() {
  const ports = memoryPorts();
  const harness = createHarness(ports);
  await publishDags(ports.bundles, 'test/fixtures/dags/runtime');
  const handler = createSchedulerHandler({
    ...ports,
    clock: harness.clock,
    limits: harness.workerDeps.limits,
  });
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  vi.stubEnv('UPDRAFT_LOG_LEVEL', 'info');
  return { ports, handler, lines };
}

describe('scheduler handler on a recorded EventBridge scheduled event', () => {
  it('runs one tick, returns its report and logs it as one JSON line', async () => {
    const { ports, handler, lines } = await published();
    const report = await handler(scheduledEvent);
    expect(report).toMatchObject({
      counts: { create_run: 3, start_run: 3, queue_task: 3 },
      dispatched: 3,
      stale: 0,
    });
    expect(report.bundleVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(ports.queue.sent.map((m) => m.taskId)).toEqual(['stamp', 'stamp', 'stamp']);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      message: 'scheduler tick',
      trigger: 'aws.events',
      dispatched: 3,
    });
  });

  it('ticks on an ECS task state change (the container-task rule targets the scheduler) and on a kick', async () => {
    const { handler, lines } = await published();
    expect((await handler(ecsEvent)).counts).toMatchObject({ create_run: 3 });
    await handler({ source: 'updraft.kick' });
    expect(lines.map((l) => JSON.parse(l).trigger)).toEqual(['aws.ecs', 'updraft.kick']);
  });

  it('does nothing, and says so, before the first bundle upload', async () => {
    const ports = memoryPorts();
    const harness = createHarness(ports);
    const handler = createSchedulerHandler({
      ...ports,
      clock: harness.clock,
      limits: harness.workerDeps.limits,
    });
    expect(await handler(scheduledEvent)).toEqual({
      bundleVersion: null,
      counts: {},
      stale: 0,
      dispatched: 0,
      truncated: false,
      notes: 0,
    });
  });
});
