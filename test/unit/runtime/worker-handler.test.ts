import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createWorkerHandler } from '../../../functions/runtime/handlers/worker-handler';
import { createHarness, memoryPorts, publishDags, sqsEvent } from '../../helpers/runtime-harness';

async function setUp() {
  const ports = memoryPorts();
  const harness = createHarness(ports);
  await publishDags(ports.bundles, 'test/fixtures/dags/runtime');
  await ports.store.setDagPaused('rt_daily', true);
  const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId: 'rt_linear' });
  if (!result.ok) throw new Error(result.message);
  await harness.tick();
  const [message] = await ports.receive();
  return { ports, harness, message: message!, runId: result.run.runId };
}

const recorded = (body: string): SQSEvent => {
  const event = sqsEvent([{ dagId: 'x', runId: 'x', taskId: 'x', mapIndex: -1, tryNumber: 1 }]);
  event.Records[0]!.body = body;
  return event;
};

describe('worker handler on recorded SQS events', () => {
  it('acknowledges a processed batch with no item failures', async () => {
    const { harness, message } = await setUp();
    expect(await harness.deliver([message])).toEqual({ batchItemFailures: [] });
  });

  it('fails the task named by a message it cannot decode, with the reason', async () => {
    const { ports, harness, message, runId } = await setUp();
    await harness.deliver([message]);
    // A broken message (unknown format version) for the next task queued by the mini-scheduler.
    const [next] = await ports.receive();
    const broken = recorded(JSON.stringify({ v: 99, ...next }));
    const handler = createWorkerHandler(harness.workerDeps, { safetyMarginSeconds: 5 });
    expect(await handler(broken, { getRemainingTimeInMillis: () => 60_000 })).toEqual({
      batchItemFailures: [],
    });
    const ti = await ports.store.getTaskInstance({ ...next!, runId });
    expect(ti).toMatchObject({ state: 'failed' });
    expect(ti?.reason).toMatch(/^undecodable task message: invalid task message \(v: /);
  });

  it('reports a message with no recoverable task as a batch item failure (to reach the DLQ)', async () => {
    const { harness } = await setUp();
    const handler = createWorkerHandler(harness.workerDeps, { safetyMarginSeconds: 5 });
    const event = recorded('not json at all');
    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }],
    });
  });

  it('redelivers only the record whose processing hit an infrastructure error', async () => {
    const { ports, harness, message } = await setUp();
    const getRun = ports.store.getRun.bind(ports.store);
    let calls = 0;
    ports.store.getRun = async (dagId, runId) => {
      if (calls++ === 0) throw new Error('DynamoDB unavailable');
      return getRun(dagId, runId);
    };
    const other = { ...message, taskId: 'total' };
    const event = sqsEvent([message, other]);
    const response = await createWorkerHandler(harness.workerDeps, { safetyMarginSeconds: 5 })(event, {
      getRemainingTimeInMillis: () => 60_000,
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
  });

  it('stops a task before the Lambda deadline and records why', async () => {
    const ports = memoryPorts();
    const harness = createHarness(ports);
    await publishDags(ports.bundles, 'test/fixtures/dags/runtime');
    await ports.store.setDagPaused('rt_daily', true);
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId: 'rt_timeout' });
    if (!result.ok) throw new Error(result.message);
    await harness.tick();
    const handler = createWorkerHandler(harness.workerDeps, { safetyMarginSeconds: 5 });
    // 5.05 s left and a 5 s margin: the task (which would sleep 3 s, timeout 0.2 s) is cut at 50 ms.
    await handler(sqsEvent(await ports.receive()), { getRemainingTimeInMillis: () => 5_050 });
    const ti = await ports.store.getTaskInstance({
      dagId: 'rt_timeout',
      runId: result.run.runId,
      taskId: 'sleepy',
      mapIndex: -1,
    });
    expect(ti?.reason).toMatch(/^worker_timeout: stopped before the Lambda deadline/);
  });
});
