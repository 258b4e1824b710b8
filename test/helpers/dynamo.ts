import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinition } from '../../functions/adapters/aws/dynamo/table';

/** A client for a local emulator: dummy credentials, never a real AWS endpoint. */
export function dynamoClient(endpoint: string, config: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  if (!endpoint.startsWith('http://127.0.0.1:')) {
    throw new Error(`refusing to test against ${endpoint}: emulator endpoints are http://127.0.0.1:<port>`);
  }
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...config,
  });
}

/** A table of its own for one test (or suite), created from table.ts. */
export interface FreshTable {
  tableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Deletes the table and closes the client. */
  dispose(): Promise<void>;
}

/** Creates a uniquely named run-state table on `endpoint` and waits until it is ACTIVE. */
export async function freshTable(
  endpoint: string,
  config: Partial<DynamoDBClientConfig> = {},
): Promise<FreshTable> {
  const client = dynamoClient(endpoint, config);
  const tableName = `updraft-test-${randomUUID()}`;
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (i > 500) throw new Error(`table ${tableName} is still ${Table?.TableStatus} after 10 s`);
    await sleep(20);
  }
  return {
    tableName,
    client,
    doc: DynamoDBDocumentClient.from(client),
    dispose: async () => {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
      }
    },
  };
}
