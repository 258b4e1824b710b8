import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { attachRequestCounter, RequestCounter } from '../../functions/adapters/aws/request-counter';
import { decodeTaskMessage } from '../../functions/adapters/aws/sqs/message-codec';
import type { AwsClients } from '../../functions/runtime/aws-clients';
import { createAwsDeps } from '../../functions/runtime/aws-deps';
import { readConfig } from '../../functions/runtime/config';
import { ENV } from '../../functions/runtime/env-keys';
import { freshTable } from './dynamo';
import {
  createTestBucket,
  createTestQueue,
  fauxqsS3Client,
  fauxqsSnsClient,
  fauxqsSqsClient,
} from './fauxqs';
import type { HarnessPorts } from './runtime-harness';

/** Clients that must never be called in these tests point at a closed local port. */
const unused = {
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};

/**
 * The real AWS adapters on emulators: a fresh DynamoDB table (dynalite or DynamoDB Local), a
 * fresh SQS queue with DLQ and S3 bucket on fauxqs, wired by the same composition root as the
 * Lambdas. Every request is counted.
 */
export async function awsPorts(
  emulator: 'dynalite' | 'dynamoDbLocal' = 'dynalite',
  options: { memoryClasses?: readonly number[] } = {},
) {
  const counter = new RequestCounter();
  const table = await freshTable(inject('dynamoEndpoints')[emulator]);
  const sqs = fauxqsSqsClient();
  const s3 = fauxqsS3Client();
  const { queueUrl, dlqUrl } = await createTestQueue(sqs);
  // One extra queue per memory class, wired through UPDRAFT_WORKER_QUEUES as the stack does.
  const classQueues = new Map<number, string>();
  for (const memoryMiB of options.memoryClasses ?? [])
    classQueues.set(memoryMiB, (await createTestQueue(sqs)).queueUrl);
  const bucket = await createTestBucket(s3);
  const clients: AwsClients = {
    dynamo: table.client,
    sqs,
    s3,
    secrets: new SecretsManagerClient(unused),
    logs: new CloudWatchLogsClient(unused),
    sns: fauxqsSnsClient(),
    athena: new AthenaClient(unused),
    lambda: new LambdaClient(unused),
    ecs: new ECSClient(unused),
  };
  for (const client of Object.values(clients)) attachRequestCounter(client, counter);
  const config = readConfig({
    [ENV.tableName]: table.tableName,
    [ENV.queueUrl]: queueUrl,
    [ENV.bucket]: bucket,
    [ENV.heartbeatSeconds]: '1',
    ...(classQueues.size > 0 && {
      [ENV.workerQueues]: [...classQueues].map(([mib, url]) => `${mib}=${url}`).join(','),
    }),
  });
  const deps = createAwsDeps(config, clients);
  const receiveFrom = async (url: string) => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length > 0) {
      // The Lambda event source deletes what the handler acknowledged; here every message is handed over.
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return Messages.map((m) => decodeTaskMessage(m.Body!));
  };
  const receive = () => receiveFrom(queueUrl);
  const ports: HarnessPorts = { ...deps, receive };
  return {
    ports,
    deps,
    counter,
    clients,
    bucket,
    queueUrl,
    dlqUrl,
    classQueues,
    receiveFrom,
    dispose: async () => {
      await table.dispose();
      sqs.destroy();
      s3.destroy();
    },
  };
}
