import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { tableDefinition } from '../../functions/adapters/aws/dynamo/table';
import { RequestCounter } from '../../functions/adapters/aws/request-counter';
import { decodeTaskMessage } from '../../functions/adapters/aws/sqs/message-codec';
import { createAwsDeps } from '../../functions/runtime/aws-deps';
import { readConfig } from '../../functions/runtime/config';
import { ENV } from '../../functions/runtime/env-keys';
import { emulatedClients } from '../emulators/clients';
import { startDynalite } from '../emulators/dynamodb';
import { startFauxqs } from '../emulators/fauxqs';

/**
 * The AWS runtime on emulators (dynalite + fauxqs on 127.0.0.1), with every request the runtime
 * makes counted. The queue poller stands in for Lambda's SQS event source, on uncounted clients.
 */
export async function startBenchEnvironment() {
  const [dynalite, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  const counter = new RequestCounter();
  const clients = emulatedClients({ dynamo: dynalite.endpoint, fauxqs: fauxqs.endpoint }, counter);
  const tableName = `updraft-bench-${randomUUID().slice(0, 8)}`;
  await clients.dynamo.send(new CreateTableCommand(tableDefinition(tableName)));
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `bench-${randomUUID().slice(0, 8)}` }),
  );
  const bucket = `bench-${randomUUID().slice(0, 8)}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const config = readConfig({ [ENV.tableName]: tableName, [ENV.queueUrl]: QueueUrl, [ENV.bucket]: bucket });
  const deps = createAwsDeps(config, clients);
  // The poller stands in for Lambda's event source: its requests are not the runtime's, so not counted.
  const poller = emulatedClients({ dynamo: dynalite.endpoint, fauxqs: fauxqs.endpoint }).sqs;
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
