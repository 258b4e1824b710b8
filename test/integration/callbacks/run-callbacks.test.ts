import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsNotificationSender } from '../../../functions/adapters/aws/notifications/notification-sender';
import { EnvSecretProvider } from '../../../functions/adapters/local/env-secret-provider';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';

const received: { path: string; body: Record<string, unknown> }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
    res.writeHead(204).end();
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('DAG callbacks and planner-ended attempts, through the scheduler and worker handlers', () => {
  it('fires the run onFailure once, and onRetry for a zombie the tick fails, reading the URL from a variable', async () => {
    received.length = 0;
    const ports = memoryPorts();
    const harness = createHarness(ports, {
      notifications: new AwsNotificationSender(),
      secrets: new EnvSecretProvider({ UPDRAFT_VAR_HOOK_BASE: base }),
      limits: { zombieAfterSeconds: 300 },
    });
    await publishDags(ports.bundles, 'test/fixtures/dags/callbacks');
    const triggered = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId: 'cb_alerts' });
    if (!triggered.ok) throw new Error(triggered.message);
    const runId = triggered.run.runId;
    await harness.tick();
    // `steady`'s worker claims and dies (no result, no heartbeat); `boom` runs and fails.
    const messages = await ports.receive();
    const steady = messages.find((m) => m.taskId === 'steady')!;
    await ports.store.updateTaskInstance(
      { dagId: 'cb_alerts', runId, taskId: 'steady', mapIndex: -1 },
      { state: 'queued', tryNumber: 1 },
      { state: 'running', startDate: harness.clock.now(), heartbeatAt: harness.clock.now() },
    );
    await harness.deliver(messages.filter((m) => m !== steady));
    harness.clock.advance(301);
    await harness.tick(); // fails the zombie: up_for_retry → onRetry
    harness.clock.advance(11);
    await harness.tick();
    await harness.drain();

    expect(harness.callbackErrors).toEqual([]);
    expect((await ports.store.getRun('cb_alerts', runId))?.state).toBe('failed');
    expect(received.map((r) => r.path).sort()).toEqual(['/run/failure', '/task/steady/retry']);
    const run = received.find((r) => r.path === '/run/failure')!.body;
    expect(run).toMatchObject({ event: 'failure', dag_id: 'cb_alerts', run_id: runId, task_id: null });
    expect(String(run.reason)).toContain('boom');
    expect(received.find((r) => r.path === '/task/steady/retry')!.body).toMatchObject({
      event: 'retry',
      task_id: 'steady',
      try_number: 1,
      reason: expect.stringMatching(/^zombie: no heartbeat for 301s/),
    });
  });
});

describe('SLA misses through the scheduler tick', () => {
  it('records a miss once, counts it, and sends the DAG onSlaMiss notifier once', async () => {
    received.length = 0;
    const ports = memoryPorts();
    const harness = createHarness(ports, {
      notifications: new AwsNotificationSender(),
      secrets: new EnvSecretProvider({ UPDRAFT_VAR_HOOK_BASE: base }),
    });
    await publishDags(ports.bundles, 'test/fixtures/dags/sla');
    await harness.tick(); // the latest daily run is created and its task queued, never run here
    const [run] = await ports.store.listActiveRuns();
    const key = { dagId: 'sla_report', runId: run!.runId, taskId: 'report', mapIndex: -1 };
    expect((await ports.store.getTaskInstance(key))?.slaMissedAt).toBeUndefined();

    harness.clock.advance(26 * 3600);
    await harness.tick();
    await harness.tick();
    expect(await ports.store.getTaskInstance(key)).toMatchObject({
      state: 'queued',
      slaMissedAt: expect.any(String),
    });
    expect(harness.metrics.named('SlaMisses').map((e) => e.key.runId)).toEqual([run!.runId]);
    expect(harness.callbackErrors).toEqual([]);
    expect(received.map((r) => r.path)).toEqual(['/sla/report']);
    expect(received[0]!.body).toMatchObject({ event: 'sla_miss', dag_id: 'sla_report', task_id: 'report' });
    expect(String(received[0]!.body.reason)).toMatch(
      /^sla missed: not done 90000s after the data interval end/,
    );
  });
});
