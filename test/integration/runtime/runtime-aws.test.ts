import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { awsPorts } from '../../helpers/aws-ports';
import { createHarness, publishDags } from '../../helpers/runtime-harness';

const DAGS = 'test/fixtures/dags/runtime';
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setUp(emulator: 'dynalite' | 'dynamoDbLocal', limits = {}) {
  const aws = await awsPorts(emulator);
  cleanup = aws.dispose;
  const harness = createHarness(aws.ports, { limits });
  await publishDags(aws.ports.bundles, DAGS);
  await aws.ports.store.setDagPaused('rt_daily', true);
  const trigger = async (dagId: string) => {
    const result = await triggerDagRun({ ...aws.ports, clock: harness.clock }, { dagId });
    if (!result.ok) throw new Error(result.message);
    return result.run;
  };
  return { aws, harness, trigger };
}

describe.each(['dynalite', 'dynamoDbLocal'] as const)(
  'AWS runtime on emulators (%s + fauxqs)',
  (emulator) => {
    it('runs a DAG end to end: tick → SQS → worker → downstream dispatch → run success, logs in S3', async () => {
      const { aws, harness, trigger } = await setUp(emulator);
      const run = await trigger('rt_linear');
      await harness.tick();
      await harness.drain();
      const store = aws.ports.store;
      expect((await store.getRun('rt_linear', run.runId))?.state).toBe('success');
      const instances = await store.listTaskInstances('rt_linear', run.runId);
      expect(Object.fromEntries(instances.map((i) => [i.taskId, [i.state, i.tryNumber]]))).toEqual({
        extract: ['success', 1],
        total: ['success', 1],
        report: ['success', 1],
      });
      const key = { dagId: 'rt_linear', runId: run.runId, taskId: 'total', mapIndex: -1 };
      expect(await aws.ports.xcom.pull(key, 'return_value')).toBe(6);
      const log = await aws.clients.s3.send(
        new GetObjectCommand({
          Bucket: aws.bucket,
          Key: `logs/dag_id=rt_linear/run_id=${run.runId}/task_id=extract/attempt=1.log`,
        }),
      );
      const text = await log.Body!.transformToString();
      expect(text).toContain('starting attempt 1 of 1 of extract');
      expect(text).toMatch(/INFO - extracting for \d{4}-\d{2}-\d{2}/);
    });

    it('joins a diamond exactly once and catches up scheduled runs once', async () => {
      const { aws, harness, trigger } = await setUp(emulator);
      await aws.ports.store.setDagPaused('rt_daily', false);
      const run = await trigger('rt_diamond');
      await Promise.all([harness.tick(), harness.tick()]);
      await harness.drain();
      expect((await aws.ports.store.getRun('rt_diamond', run.runId))?.state).toBe('success');
      const join = { dagId: 'rt_diamond', runId: run.runId, taskId: 'join', mapIndex: -1 };
      expect(await aws.ports.xcom.pull(join, 'return_value')).toBe('L+R');
      const daily = await aws.ports.store.previousRun('rt_daily', '2024-12-31T00:00:00.000Z');
      expect(daily).toMatchObject({ runId: 'scheduled__2024-01-03T00:00:00+00:00', state: 'success' });
      expect((await harness.tick()).counts.create_run ?? 0).toBe(0);
    });

    it('recovers from a lost send and from a dead worker', async () => {
      const { aws, harness, trigger } = await setUp(emulator, {
        requeueAfterSeconds: 60,
        zombieAfterSeconds: 120,
      });
      const run = await trigger('rt_retried');
      const send = aws.ports.queue.send.bind(aws.ports.queue);
      aws.ports.queue.send = async () => {
        throw new Error('SQS unreachable');
      };
      await expect(harness.tick()).rejects.toThrow('SQS unreachable');
      aws.ports.queue.send = send;
      harness.clock.advance(61);
      expect((await harness.tick()).counts.resend_task).toBe(1);
      const key = { dagId: 'rt_retried', runId: run.runId, taskId: 'steady', mapIndex: -1 };
      await aws.ports.store.updateTaskInstance(
        key,
        { state: 'queued', tryNumber: 1 },
        {
          state: 'running',
          heartbeatAt: harness.clock.now(),
          startDate: harness.clock.now(),
        },
      );
      await harness.deliver(); // the re-sent message: claim lost to the "dead" worker, dropped
      harness.clock.advance(121);
      await harness.tick();
      expect(await aws.ports.store.getTaskInstance(key)).toMatchObject({
        state: 'up_for_retry',
        tryNumber: 1,
      });
      harness.clock.advance(11);
      await harness.tick();
      await harness.drain();
      expect(await aws.ports.store.getTaskInstance(key)).toMatchObject({ state: 'success', tryNumber: 2 });
    });
  },
);
