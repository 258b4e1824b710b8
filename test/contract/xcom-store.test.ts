import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CorruptItemError } from '../../functions/adapters/aws/dynamo/items';
import { DynamoRunStore } from '../../functions/adapters/aws/dynamo/run-store';
import { xcomKey } from '../../functions/adapters/aws/dynamo/table';
import { DEFAULT_MAX_XCOM_BYTES, DynamoXComStore } from '../../functions/adapters/aws/dynamo/xcom-store';
import { MemoryXComStore } from '../../functions/adapters/memory/xcom-store';
import { XComTooLargeError } from '../../functions/ports/xcom-store';
import { dynamoClient, type FreshTable, freshTable } from '../helpers/dynamo';
import { describeXComStoreContract, MapBlobStore } from './xcom-store.contract';

const endpoints = inject('dynamoEndpoints');
const emulators = [
  ['dynalite', endpoints.dynalite],
  ['DynamoDB Local', endpoints.dynamoDbLocal],
] as const;
const MAX_BYTES = 300_000;

describeXComStoreContract(
  'MemoryXComStore',
  async () => ({ store: new MemoryXComStore(MAX_BYTES), dispose: async () => {} }),
  { maxBytes: MAX_BYTES },
);

for (const [name, endpoint] of emulators) {
  describeXComStoreContract(
    `DynamoXComStore on ${name}`,
    async () => {
      const table = await freshTable(endpoint);
      const store = new DynamoXComStore({
        client: table.doc,
        tableName: table.tableName,
        blobs: new MapBlobStore(),
        maxBytes: MAX_BYTES,
      });
      return { store, dispose: table.dispose };
    },
    { maxBytes: MAX_BYTES, largeValueBytes: 200_000 },
  );
}

const key = { dagId: 'etl', runId: 'manual__1', taskId: 'extract', mapIndex: -1 };

describe.each(emulators)('DynamoXComStore specifics on %s', (_name, endpoint) => {
  let table: FreshTable;
  let blobs: MapBlobStore;
  let store: DynamoXComStore;
  beforeEach(async () => {
    table = await freshTable(endpoint);
    blobs = new MapBlobStore();
    store = new DynamoXComStore({
      client: table.client,
      tableName: table.tableName,
      blobs,
      inlineLimitBytes: 100,
    });
  });
  afterEach(async () => {
    await table.dispose();
  });

  const stored = async (xcom: string) =>
    (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: xcomKey(key, xcom) }))).Item;

  it('keeps values up to the inline limit in the item and larger ones in a blob', async () => {
    const atLimit = 'x'.repeat(98);
    await store.push(key, 'small', atLimit);
    expect(await stored('small')).toMatchObject({ type: 'XCom', value: JSON.stringify(atLimit) });
    expect(blobs.objects.size).toBe(0);

    const large = 'y'.repeat(99);
    await store.push({ ...key, mapIndex: 3 }, 'big/key', large);
    const blobKey = 'xcom/etl/manual__1/extract/3/big/key.json';
    expect(blobs.objects.get(blobKey)?.contentType).toBe('application/json');
    const item = (
      await table.doc.send(
        new GetCommand({ TableName: table.tableName, Key: xcomKey({ ...key, mapIndex: 3 }, 'big/key') }),
      )
    ).Item;
    expect(item).toMatchObject({ blobKey, bytes: 101 });
    expect(item).not.toHaveProperty('value');
    expect(await store.pull({ ...key, mapIndex: 3 }, 'big/key')).toBe(large);
  });

  it('reports a pointer whose blob is missing, and corrupt items, with their keys', async () => {
    await store.push(key, 'big', 'z'.repeat(200));
    blobs.objects.clear();
    await expect(store.pull(key, 'big')).rejects.toThrow(
      /XCOM#extract#-1#big is corrupt: blob .* is missing/,
    );
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...xcomKey(key, 'bad'), type: 'XCom', value: '{' },
      }),
    );
    await expect(store.pull(key, 'bad')).rejects.toBeInstanceOf(CorruptItemError);
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...xcomKey(key, 'odd'), type: 'XCom', other: 1 },
      }),
    );
    await expect(store.pull(key, 'odd')).rejects.toThrow(/XCOM#extract#-1#odd is corrupt/);
  });

  it('lists blob-stored values with inline ones, in sort-key order', async () => {
    const values = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? i : 'b'.repeat(200 + i)));
    await Promise.all(
      values.map((value, i) => store.push({ ...key, mapIndex: 19 - i }, 'return_value', value)),
    );
    const listed = await store.list(key.dagId, key.runId, key.taskId);
    expect(listed.map((x) => x.key.mapIndex)).toEqual(values.map((_, i) => i));
    expect(listed.map((x) => x.value)).toEqual([...values].reverse());
    expect(blobs.objects.size).toBe(13);
  });

  it('reports a missing blob or a corrupt item when listing, and rejects unsafe task ids', async () => {
    await store.push(key, 'big', 'z'.repeat(200));
    blobs.objects.clear();
    await expect(store.list(key.dagId, key.runId)).rejects.toThrow(/XCOM#extract#-1#big is corrupt: blob/);
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...xcomKey(key, 'big'), type: 'XCom', value: '1' },
      }),
    );
    await expect(store.list(key.dagId, key.runId)).rejects.toThrow(
      /XCOM#extract#-1#big is corrupt: .*xcomKey/,
    );
    await expect(store.list(key.dagId, key.runId, 'a#b')).rejects.toThrow(/task id "a#b" cannot be stored/);
  });

  it('leaves blobs behind when the run store deletes a run (the bucket lifecycle removes them)', async () => {
    const runs = new DynamoRunStore({ client: table.client, tableName: table.tableName });
    await store.push(key, 'small', 1);
    await store.push(key, 'big', 'z'.repeat(200));
    expect(await runs.deleteRun(key.dagId, key.runId)).toBe(false);
    expect(await store.list(key.dagId, key.runId)).toEqual([]);
    expect([...blobs.objects.keys()]).toEqual(['xcom/etl/manual__1/extract/-1/big.json']);
  });

  it('shares the run partition with task instances without showing up among them', async () => {
    const runs = new DynamoRunStore({ client: table.client, tableName: table.tableName });
    await store.push(key, 'return_value', 1);
    await runs.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'success', tryNumber: 1 });
    expect(await runs.listTaskInstances(key.dagId, key.runId)).toEqual([
      { ...key, state: 'success', tryNumber: 1 },
    ]);
    expect(await store.list(key.dagId, key.runId)).toEqual([{ key, xcomKey: 'return_value', value: 1 }]);
  });
});

describe('DynamoXComStore limits', () => {
  it('rejects a value over 16 MiB by default before any I/O', async () => {
    const client = dynamoClient('http://127.0.0.1:9');
    const store = new DynamoXComStore({ client, tableName: 'unused', blobs: new MapBlobStore() });
    const error = await store
      .push(key, 'return_value', 'x'.repeat(DEFAULT_MAX_XCOM_BYTES - 1))
      .catch((e) => e);
    expect(error).toBeInstanceOf(XComTooLargeError);
    expect(error).toMatchObject({ bytes: DEFAULT_MAX_XCOM_BYTES + 1, limitBytes: DEFAULT_MAX_XCOM_BYTES });
    expect(
      () =>
        new DynamoXComStore({
          client,
          tableName: 'unused',
          blobs: new MapBlobStore(),
          inlineLimitBytes: 400_000,
        }),
    ).toThrow(/inlineLimitBytes 400000/);
    client.destroy();
  });
});
