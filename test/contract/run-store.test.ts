import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoStoreError } from '../../functions/adapters/aws/dynamo/errors';
import { CorruptItemError, markerToItem } from '../../functions/adapters/aws/dynamo/items';
import { DynamoRunStore } from '../../functions/adapters/aws/dynamo/run-store';
import { runKey, tableDefinition, taskInstanceKey } from '../../functions/adapters/aws/dynamo/table';
import { DynamoXComStore } from '../../functions/adapters/aws/dynamo/xcom-store';
import { MemoryRunStore } from '../../functions/adapters/memory/run-store';
import { MemoryXComStore } from '../../functions/adapters/memory/xcom-store';
import { RunAlreadyExistsError, StaleTransitionError } from '../../functions/ports/errors';
import { dynamoClient, type FreshTable, freshTable } from '../helpers/dynamo';
import { describeRunStoreContract, type RunStoreUnderTest, runOn } from './run-store.contract';
import { describeRunStorePoolsContract } from './run-store.pools.contract';
import { describeRunStoreQueriesContract } from './run-store.queries.contract';
import { MapBlobStore } from './xcom-store.contract';

const endpoints = inject('dynamoEndpoints');
const emulators = [
  ['dynalite', endpoints.dynalite],
  ['DynamoDB Local', endpoints.dynamoDbLocal],
] as const;

const memoryStore = async (): Promise<RunStoreUnderTest> => {
  const xcoms = new MemoryXComStore();
  return { store: new MemoryRunStore({ xcoms }), xcoms, dispose: async () => {} };
};
describeRunStoreContract('MemoryRunStore', memoryStore);
describeRunStoreQueriesContract('MemoryRunStore', memoryStore);
describeRunStorePoolsContract('MemoryRunStore', memoryStore);

for (const [name, endpoint] of emulators) {
  const dynamoStore = async (): Promise<RunStoreUnderTest> => {
    const table = await freshTable(endpoint);
    const options = { client: table.doc, tableName: table.tableName };
    return {
      store: new DynamoRunStore(options),
      xcoms: new DynamoXComStore({ ...options, blobs: new MapBlobStore() }),
      dispose: table.dispose,
      orphanLogicalDate: async (dagId, logicalDate, runId) => {
        const Item = markerToItem(dagId, { runId, logicalDate, createdAt: 0 });
        await table.doc.send(new PutCommand({ TableName: table.tableName, Item }));
      },
    };
  };
  describeRunStoreContract(`DynamoRunStore on ${name}`, dynamoStore);
  describeRunStoreQueriesContract(`DynamoRunStore on ${name}`, dynamoStore);
  describeRunStorePoolsContract(`DynamoRunStore on ${name}`, dynamoStore);
}

describe.each(emulators)('DynamoRunStore specifics on %s', (_name, endpoint) => {
  let table: FreshTable;
  let store: DynamoRunStore;
  beforeEach(async () => {
    table = await freshTable(endpoint);
    store = new DynamoRunStore({ client: table.client, tableName: table.tableName });
  });
  afterEach(async () => {
    await table.dispose();
  });

  it('retries a throttled write inside the SDK and loses no state', async () => {
    let calls = 0;
    table.client.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        if (calls === 1) {
          throw new ProvisionedThroughputExceededException({ message: 'injected throttle', $metadata: {} });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'injectThrottleOnce' },
    );
    const key = { dagId: 'etl', runId: 'r1', taskId: 'extract', mapIndex: -1 };
    const created = await store.updateTaskInstance(
      key,
      { state: 'none', tryNumber: 0 },
      { state: 'queued', tryNumber: 1, reason: 'ready' },
    );
    expect(calls).toBe(2);
    expect(created).toEqual({ ...key, state: 'queued', tryNumber: 1, reason: 'ready' });
    expect(await store.getTaskInstance(key)).toEqual(created);
  });

  it('retries the keys a BatchGetItem left unprocessed', async () => {
    let batches = 0;
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName !== 'BatchGetItemCommand' || batches++ > 0) return result;
        // Report the whole first batch as unprocessed, as DynamoDB does under load.
        const input = args.input as { RequestItems: Record<string, unknown> };
        const output = result.output as { Responses?: unknown; UnprocessedKeys?: unknown };
        output.Responses = {};
        output.UnprocessedKeys = input.RequestItems;
        return result;
      },
      { step: 'initialize', name: 'leaveUnprocessed' },
    );
    await store.putDagStateIfAbsent({ dagId: 'etl', isPaused: false });
    expect(await store.getDagStates(['etl', 'unknown'])).toEqual(
      new Map([['etl', { dagId: 'etl', isPaused: false }]]),
    );
    expect(batches).toBe(2);
  });

  it('refuses to take over the logical date of a create that may still be in flight', async () => {
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: markerToItem('etl', {
          runId: 'manual__inflight',
          logicalDate: runOn(1).logicalDate,
          createdAt: Date.now(),
        }),
      }),
    );
    const error = await store.createRun(runOn(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunAlreadyExistsError);
    expect((error as RunAlreadyExistsError).runId).toBe('manual__inflight');
    const patient = new DynamoRunStore({
      client: table.doc,
      tableName: table.tableName,
      now: () => Date.now() + 61_000,
    });
    await patient.createRun(runOn(1));
  });

  it('names the keys of a corrupt item', async () => {
    const key = runKey('etl', 'broken');
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...key, type: 'DagRun', dagId: 'etl', conf: '{nope' },
      }),
    );
    const error = await store.getRun('etl', 'broken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptItemError);
    expect((error as Error).message).toContain('DAG#etl / RUN#broken');
    expect((error as Error).message).toContain('conf: is not JSON text');
    const tiKey = taskInstanceKey({ dagId: 'etl', runId: 'r', taskId: 't', mapIndex: -1 });
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...tiKey, type: 'DagRun' } }));
    await expect(store.listTaskInstances('etl', 'r')).rejects.toThrow(
      /type is DagRun, expected TaskInstance/,
    );
  });

  it('orders task instances by task id, then numerically by map index', async () => {
    for (const mapIndex of [10, 2, -1, 0]) {
      await store.updateTaskInstance(
        { dagId: 'etl', runId: 'r', taskId: 'load', mapIndex },
        { state: 'none', tryNumber: 0 },
        { state: 'none' },
      );
    }
    const listed = await store.listTaskInstances('etl', 'r');
    expect(listed.map((i) => i.mapIndex)).toEqual([-1, 0, 2, 10]);
  });

  it('says what a lost condition found when the server returns the old item', async () => {
    const key = { dagId: 'etl', runId: 'r', taskId: 't', mapIndex: -1 };
    await store.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'running', tryNumber: 2 });
    const error = await store
      .updateTaskInstance(key, { state: 'queued', tryNumber: 2 }, { state: 'running' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleTransitionError);
    // DynamoDB Local honours ReturnValuesOnConditionCheckFailure; dynalite ignores it.
    const found = endpoint === endpoints.dynamoDbLocal ? 'running (try 2)' : 'absent or in another state';
    expect((error as Error).message).toBe(`task instance etl/r/t is ${found}, expected queued (try 2)`);
    expect((error as StaleTransitionError).context).toMatchObject({ key: 'etl/r/t', found });
  });

  it('reads every page of the active runs', async () => {
    // Items near the 400 KB limit make a 1 MB query page hold only a few of them.
    const conf = { blob: 'x'.repeat(300_000) };
    for (let n = 1; n <= 5; n++) await store.createRun(runOn(n, { conf }));
    let pages = 0;
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') pages++;
        return next(args);
      },
      { step: 'initialize', name: 'countPages' },
    );
    const active = await store.listActiveRuns();
    expect(pages).toBeGreaterThan(1);
    expect(active.map((r) => r.logicalDate).sort()).toEqual([1, 2, 3, 4, 5].map((n) => runOn(n).logicalDate));
  });

  it('rejects keys that could collide, and patches that change a run identity', async () => {
    await expect(store.getRun('a#b', 'r')).rejects.toThrow(/DAG id "a#b" cannot be stored/);
    await expect(
      store.getTaskInstance({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -2 }),
    ).rejects.toThrow(/map index -2/);
    await expect(store.getRun('d', '')).rejects.toThrow(/empty run id/);
    await store.createRun(runOn(1));
    await expect(store.updateRun('etl', runOn(1).runId, 'queued', { runId: 'other' })).rejects.toThrow(
      RangeError,
    );
    await expect(
      store.updateRun('etl', runOn(1).runId, 'queued', { logicalDate: runOn(2).logicalDate }),
    ).rejects.toBeInstanceOf(StaleTransitionError);
    const same = await store.updateRun('etl', runOn(1).runId, 'queued', { ...runOn(1), state: 'running' });
    expect(same).toEqual({ ...runOn(1), state: 'running' });
  });
});

describe('DynamoRunStore errors', () => {
  it('turns SDK failures into DynamoStoreError with the SDK error as cause', async () => {
    const client = dynamoClient(endpoints.dynalite);
    const store = new DynamoRunStore({ client, tableName: 'no-such-table' });
    const error = await store.getRun('etl', 'r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoStoreError);
    expect(error).toMatchObject({ operation: 'GetItem', tableName: 'no-such-table', retryable: false });
    expect((error as Error).message).toContain('ResourceNotFoundException');
    expect(((error as Error).cause as Error).name).toBe('ResourceNotFoundException');
    client.destroy();
  });

  it('describes the table with three sparse-friendly GSIs and on-demand billing', () => {
    const definition = tableDefinition('t');
    expect(definition.BillingMode).toBe('PAY_PER_REQUEST');
    expect(definition.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['GSI1', 'GSI2', 'GSI3']);
    expect(definition.AttributeDefinitions?.map((a) => a.AttributeName)).toContain('GSI3SK');
  });
});
