import { AthenaClient } from '@aws-sdk/client-athena';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { decodeTaskMessage } from '../../../functions/adapters/aws/sqs/message-codec';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import type { AwsClients } from '../../../functions/runtime/aws-clients';
import { createAwsDeps } from '../../../functions/runtime/aws-deps';
import { readConfig } from '../../../functions/runtime/config';
import { ENV } from '../../../functions/runtime/env-keys';
import { createSchedulerHandler } from '../../../functions/runtime/handlers/scheduler-handler';
import { createWorkerHandler } from '../../../functions/runtime/handlers/worker-handler';
import { freshTable } from '../../helpers/dynamo';
import { fakeEcs } from '../../helpers/ecs-mocks';
import {
  createTestBucket,
  createTestQueue,
  fauxqsS3Client,
  fauxqsSnsClient,
  fauxqsSqsClient,
} from '../../helpers/fauxqs';
import { ManualClock, sqsEvent } from '../../helpers/runtime-harness';
import { HASH, LOGICAL_DATE, publishEcsDags, RUN_ID, TASK_DEFINITION } from './ecs-dags';

// The composition root the Lambdas use (createAwsDeps), configured as the stack configures it for
// container tasks: DynamoDB (dynalite), SQS and S3 (fauxqs), and ECS + CloudWatch Logs mocked.

const unused = {
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setUp() {
  const ecs = fakeEcs();
  const table = await freshTable(inject('dynamoEndpoints').dynalite);
  const sqs = fauxqsSqsClient();
  const s3 = fauxqsS3Client();
  const { queueUrl } = await createTestQueue(sqs);
  const bucket = await createTestBucket(s3);
  cleanup = async () => {
    ecs.restore();
    await table.dispose();
    sqs.destroy();
    s3.destroy();
  };
  const clients: AwsClients = {
    dynamo: table.client,
    sqs,
    s3,
    secrets: new SecretsManagerClient(unused),
    logs: ecs.logsClient,
    sns: fauxqsSnsClient(),
    athena: new AthenaClient(unused),
    lambda: new LambdaClient(unused),
    ecs: ecs.ecsClient,
  };
  const config = readConfig({
    [ENV.tableName]: table.tableName,
    [ENV.queueUrl]: queueUrl,
    [ENV.bucket]: bucket,
    [ENV.ecsCluster]: 'updraft',
    [ENV.ecsSubnets]: 'subnet-0a1b2c3d,subnet-4e5f6a7b',
    [ENV.ecsSecurityGroups]: 'sg-0123456789abcdef0',
    [ENV.ecsLogGroup]: '/updraft/containers',
    [ENV.ecsTaskDefinitions]: JSON.stringify({ [HASH]: TASK_DEFINITION }),
  });
  const clock = new ManualClock();
  const deps = createAwsDeps(config, clients, clock);
  if (!deps.containerCompletion) throw new Error('createAwsDeps did not wire container completion');
  const scheduler = createSchedulerHandler(deps.tick, {
    deps: deps.containerCompletion,
    containerName: config.ecsContainerName,
  });
  const worker = createWorkerHandler(deps.worker, { safetyMarginSeconds: 5 });
  /** Hands every visible message of the queue to the worker, as the SQS event source would. */
  const deliver = async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return 0;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    await worker(sqsEvent(Messages.map((m) => decodeTaskMessage(m.Body!))), {
      getRemainingTimeInMillis: () => 60_000,
    });
    return Messages.length;
  };
  const logText = async (taskId: string) => {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: `logs/dag_id=ecs_rank/run_id=${RUN_ID}/task_id=${taskId}/attempt=1.log`,
      }),
    );
    return object.Body!.transformToString();
  };
  await publishEcsDags(deps.bundles);
  return { ecs, deps, clock, scheduler, deliver, logText };
}

describe('container tasks wired by createAwsDeps (dynalite + fauxqs, ECS mocked)', () => {
  it('starts the task from the worker, ends it from the stop event, logs the output in S3, runs downstream', async () => {
    const { ecs, deps, clock, scheduler, deliver, logText } = await setUp();
    const triggered = await triggerDagRun(
      { ...deps, clock },
      { dagId: 'ecs_rank', logicalDate: LOGICAL_DATE },
    );
    if (!triggered.ok) throw new Error(triggered.message);
    await scheduler({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    expect(await deliver()).toBe(1);

    expect(ecs.runTaskInputs()).toHaveLength(1);
    expect(ecs.runTaskInputs()[0]).toMatchObject({
      cluster: 'updraft',
      taskDefinition: TASK_DEFINITION,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: { cpu: '512', memory: '3072' },
    });
    const taskArn = ecs.started[0]!.taskArn;
    const key = { dagId: 'ecs_rank', runId: RUN_ID, taskId: 'rank', mapIndex: -1 };
    expect(await deps.store.getTaskInstance(key)).toMatchObject({
      state: 'running',
      externalJob: { tryNumber: 1, id: taskArn },
      environment: { runtime: 'ecs-fargate', taskArn, name: 'ranker', hash: HASH, memoryMiB: 3072 },
    });

    await scheduler(ecs.stop(taskArn, { exitCode: 0, lines: ['ranking', '{"top": [318, 356]}'] }));
    expect(await deps.store.getTaskInstance(key)).toMatchObject({ state: 'success' });
    expect(await deps.xcom.pull(key, 'return_value')).toEqual({ top: [318, 356] });
    // One S3 log per try: the worker's lines, then the container's, then the end.
    const log = await logText('rank');
    expect(log).toContain(`started ECS task ${taskArn}`);
    expect(log).toContain(`ECS task ${taskArn} stopped; its output (2 lines) follows`);
    expect(log).toMatch(/INFO - ranking\n.*INFO - \{"top": \[318, 356\]\}\n/);
    expect(log).toContain('attempt 1 ended success');
    expect(log.indexOf(`started ECS task ${taskArn}`)).toBeLessThan(log.indexOf('ranking'));

    // The scheduler's tick after the event queued the downstream task; a worker starts it.
    expect(await deliver()).toBe(1);
    const publish = ecs.runTaskInputs()[1]!;
    expect(publish.overrides?.containerOverrides?.[0]?.command).toEqual(['{"top":[318,356]}']);

    // Its stop event is lost: the rate tick's DescribeTasks ends it, and the run.
    ecs.stop(ecs.started[1]!.taskArn, { exitCode: 0, lines: ['published'] });
    await scheduler({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    expect((await deps.store.getRun('ecs_rank', RUN_ID))?.state).toBe('success');
  });
});
