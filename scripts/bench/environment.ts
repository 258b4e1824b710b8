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
import { tableDefinition } from '../../functions/adapters/aws/dynamo/table';
import { attachRequestCounter, RequestCounter } from '../../functions/adapters/aws/request-counter';
import { decodeTaskMessage } from '../../functions/adapters/aws/sqs/message-codec';
import type { AwsClients } from '../../functions/runtime/aws-clients';
import { createAwsDeps } from '../../functions/runtime/aws-deps';
import { readConfig } from '../../functions/runtime/config';
import { ENV } from '../../functions/runtime/env-keys';
import { startDynalite } from '../emulators/dynamodb';
import { startFauxqs } from '../emulators/fauxqs';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

/**
 * The AWS runtime on emulators (dynalite + fauxqs on 127.0.0.1), with every request the runtime
 * makes counted. The queue poller stands in for Lambda's SQS event source, on uncounted clients.
 */
export async function startBenchEnvironment() {
  const [dynalite, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  const s3Options = {
    region,
    credentials,
    endpoint: fauxqs.endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
  const sqsOptions = { region, credentials, endpoint: fauxqs.endpoint, useQueueUrlAsEndpoint: false };
  const unused = { region, credentials, endpoint: 'http://127.0.0.1:9' };
  const clients: AwsClients = {
    dynamo: new DynamoDBClient({ region, credentials, endpoint: dynalite.endpoint }),
    sqs: new SQSClient(sqsOptions),
    s3: new S3Client(s3Options),
    secrets: new SecretsManagerClient(unused),
    logs: new CloudWatchLogsClient(unused),
  };
  const tableName = `updraft-bench-${randomUUID().slice(0, 8)}`;
  await clients.dynamo.send(new CreateTableCommand(tableDefinition(tableName)));
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `bench-${randomUUID().slice(0, 8)}` }),
  );
  const bucket = `bench-${randomUUID().slice(0, 8)}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const counter = new RequestCounter();
  for (const client of Object.values(clients)) attachRequestCounter(client, counter);
  const config = readConfig({ [ENV.tableName]: tableName, [ENV.queueUrl]: QueueUrl, [ENV.bucket]: bucket });
  const deps = createAwsDeps(config, clients);
  const poller = new SQSClient(sqsOptions);
  const receive = async () => {
    const { Messages = [] } = await poller.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length > 0) {
      await poller.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return Messages.map((m) => decodeTaskMessage(m.Body!));
  };
  return {
    deps,
    counter,
    receive,
    stop: async () => {
      for (const client of [...Object.values(clients), poller]) client.destroy();
      await Promise.all([dynalite.stop(), fauxqs.stop()]);
    },
  };
}
