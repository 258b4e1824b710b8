import { randomUUID } from 'node:crypto';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { tableDefinition } from '../../functions/adapters/aws/dynamo/table';
import { schedulerTick } from '../../functions/app/scheduler-tick';
import type { AwsClients } from '../../functions/runtime/aws-clients';
import { createAwsDeps, systemClock } from '../../functions/runtime/aws-deps';
import { readConfig } from '../../functions/runtime/config';
import { ENV } from '../../functions/runtime/env-keys';
import { createApiHandler } from '../../functions/runtime/handlers/api-handler';
import { createWorkerHandler } from '../../functions/runtime/handlers/worker-handler';
import { createApiRouter } from '../../functions/runtime/http/api';
import { bearerAuthorizer } from '../../functions/runtime/http/auth';
import { errorFields, logJson } from '../../functions/runtime/log';
import { buildBundle, bundleFiles } from '../bundle';
import { startDynalite } from '../emulators/dynamodb';
import { startFauxqs } from '../emulators/fauxqs';
import { serveApi } from './http-server';

/** Options of an in-process Updraft: everything the AWS stack runs, on emulators. */
export interface LocalStackOptions {
  dagsFolder: string;
  token: string;
  /** API port; 0 picks a free one. */
  port: number;
  /** Scheduler tick period in seconds (EventBridge's minute, shortened). Default 5. */
  tickSeconds?: number;
}

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts the whole orchestrator in this process: dynalite and fauxqs on loopback, the table,
 * queue and bucket, the DAG bundle, the API handler on HTTP, the scheduler on a timer plus
 * kicks, and a worker loop feeding the real worker handler with SQS events.
 */
export async function startLocalStack(options: LocalStackOptions) {
  const [dynalite, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  const clients: AwsClients = {
    dynamo: new DynamoDBClient({ region, credentials, endpoint: dynalite.endpoint }),
    sqs: new SQSClient({ region, credentials, endpoint: fauxqs.endpoint, useQueueUrlAsEndpoint: false }),
    s3: new S3Client({
      region,
      credentials,
      endpoint: fauxqs.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    secrets: new SecretsManagerClient({ region, credentials, endpoint: 'http://127.0.0.1:9' }),
    logs: new CloudWatchLogsClient({ region, credentials, endpoint: 'http://127.0.0.1:9' }),
  };
  const tableName = `updraft-${randomUUID().slice(0, 8)}`;
  await clients.dynamo.send(new CreateTableCommand(tableDefinition(tableName)));
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'updraft-tasks' }));
  const bucket = 'updraft-local';
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const config = readConfig({
    [ENV.tableName]: tableName,
    [ENV.queueUrl]: QueueUrl,
    [ENV.bucket]: bucket,
    [ENV.heartbeatSeconds]: '5',
  });
  const deps = createAwsDeps(config, clients);
  const built = await buildBundle({ dagsFolder: options.dagsFolder });
  if (!built.ok)
    throw new Error(`DAG bundle does not build:\n${built.problems.map((p) => p.message).join('\n')}`);
  await deps.bundles.publish(built.manifest.version, bundleFiles(built));

  let stopping = false;
  let ticking: Promise<unknown> = Promise.resolve();
  const tick = () => {
    ticking = ticking
      .then(() => schedulerTick(deps.tick))
      .catch((error) => logJson('error', 'tick failed', errorFields(error)));
    return ticking.then(() => undefined);
  };
  const timer = setInterval(() => void tick(), (options.tickSeconds ?? 5) * 1000);
  const worker = createWorkerHandler(deps.worker, { safetyMarginSeconds: 5 });
  const workerLoop = (async () => {
    while (!stopping) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      const records = Messages.map(
        (m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }) as SQSRecord,
      );
      const { batchItemFailures } = await worker(
        { Records: records },
        { getRemainingTimeInMillis: () => 900_000 },
      );
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = Messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
  })();
  const router = createApiRouter({ ...deps, clock: systemClock, kick: tick });
  const api = await serveApi(createApiHandler(router, bearerAuthorizer(options.token)), {
    port: options.port,
  });
  await tick();
  return {
    url: api.url,
    deps,
    manifest: built.manifest,
    tick,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await new Promise((resolve) => api.server.close(resolve));
      await workerLoop.catch(() => undefined);
      await ticking;
      for (const client of Object.values(clients)) client.destroy();
      await Promise.all([dynalite.stop(), fauxqs.stop()]);
    },
  };
}
