import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoStoreError } from '../../functions/adapters/aws/dynamo/errors';
import { markerToItem } from '../../functions/adapters/aws/dynamo/items';
import { DynamoRunStore } from '../../functions/adapters/aws/dynamo/run-store';
import { dagKey, logicalDateKey } from '../../functions/adapters/aws/dynamo/table';
import type { DagRunState } from '../../functions/core/states';
import { type FreshTable, freshTable } from '../helpers/dynamo';
import { runOn } from './run-store.contract';

/** DynamoDB specifics of listRuns, deleteRun and listDagStates (the contract is in run-store.test.ts). */

const endpoints = inject('dynamoEndpoints');
const emulators = [
  ['dynalite', endpoints.dynalite],
  ['DynamoDB Local', endpoints.dynamoDbLocal],
] as const;

type Sent = { command: string; input: Record<string, unknown> };

/** Records every command the client sends; `unprocessed(n)` reports the first n BatchWriteItems as not done. */
function spy(table: FreshTable, options: { unprocessedWrites?: number } = {}): Sent[] {
  const sent: Sent[] = [];
  let writes = 0;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      sent.push({ command: String(context.commandName), input });
      const result = await next(args);
      if (context.commandName === 'BatchWriteItemCommand' && writes++ < (options.unprocessedWrites ?? 0)) {
        // As DynamoDB does under load: report the whole request unprocessed (a delete is idempotent).
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = input.RequestItems;
      }
      return result;
    },
    { step: 'initialize', name: 'spy' },
  );
  return sent;
}

describe.each(emulators)('DynamoRunStore listing specifics on %s', (_name, endpoint) => {
  let table: FreshTable;
  let store: DynamoRunStore;
  beforeEach(async () => {
    table = await freshTable(endpoint);
    store = new DynamoRunStore({ client: table.client, tableName: table.tableName });
  });
  afterEach(async () => {
    await table.dispose();
  });

  const dates = (runs: { logicalDate: string }[]) => runs.map((r) => r.logicalDate);
  const days = (...ns: number[]) => ns.map((n) => runOn(n).logicalDate);

  it('pages through 1 MB query pages and counts the rest without reading it out', async () => {
    // ≈ 300 KB items: a 1 MB page holds three runs.
    const conf = { blob: 'x'.repeat(300_000) };
    const state = (n: number): DagRunState => (n % 2 === 0 ? 'success' : 'failed');
    for (let n = 1; n <= 8; n++) await store.createRun(runOn(n, { conf, state: state(n) }));
    const sent = spy(table);
    const queries = () => sent.filter((s) => s.command === 'QueryCommand').map((s) => s.input);

    const newest = await store.listRuns('etl', { limit: 2 });
    expect({ dates: dates(newest.runs), total: newest.total }).toEqual({ dates: days(8, 7), total: 8 });
    expect(queries()[0]).toMatchObject({ Limit: 2, ScanIndexForward: false });
    expect(
      queries()
        .slice(1)
        .every((q) => q.Select === 'COUNT'),
    ).toBe(true);
    expect(queries().length).toBeGreaterThan(2);

    sent.length = 0;
    const filtered = await store.listRuns('etl', { states: ['success'], order: 'asc', offset: 1, limit: 1 });
    expect({ dates: dates(filtered.runs), total: filtered.total }).toEqual({ dates: days(4), total: 4 });
    expect(queries()[0]?.Limit).toBeUndefined();
    expect(queries().at(-1)).toMatchObject({ Select: 'COUNT' });

    sent.length = 0;
    const all = await store.listRuns('etl', { states: ['failed'] });
    expect({ dates: dates(all.runs), total: all.total }).toEqual({ dates: days(7, 5, 3, 1), total: 4 });
    expect(queries().some((q) => q.Select === 'COUNT')).toBe(false);
  });

  it('deletes a run partition in batches of 25, retrying unprocessed items', async () => {
    await store.createRun(runOn(1));
    const keys = Array.from({ length: 60 }, (_, i) => ({
      dagId: 'etl',
      runId: runOn(1).runId,
      taskId: 'mapped',
      mapIndex: i,
    }));
    await Promise.all(
      keys.map((key) => store.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'success' })),
    );
    const sent = spy(table, { unprocessedWrites: 1 });
    expect(await store.deleteRun('etl', runOn(1).runId)).toBe(true);
    const writes = sent.filter((s) => s.command === 'BatchWriteItemCommand');
    const sizes = writes.map(
      (w) => Object.values(w.input.RequestItems as Record<string, unknown[]>)[0]?.length,
    );
    // Three chunks go out at once; one of them (whichever answers first) is sent again.
    expect(sizes).toHaveLength(4);
    expect(sizes.slice(0, 3).sort()).toEqual([10, 25, 25]);
    expect(await store.listTaskInstances('etl', runOn(1).runId)).toEqual([]);
  });

  it('keeps a logical-date marker another run has taken over', async () => {
    await store.createRun(runOn(1));
    const marker = markerToItem('etl', {
      runId: 'manual__new',
      logicalDate: runOn(1).logicalDate,
      createdAt: 1,
    });
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: marker }));
    expect(await store.deleteRun('etl', runOn(1).runId)).toBe(true);
    const key = logicalDateKey('etl', runOn(1).logicalDate);
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: key }));
    expect(Item).toEqual(marker);
  });

  it('lists a DAG item written before GSI3 existed once it is written again', async () => {
    const legacy = { ...dagKey('old_dag'), type: 'Dag', dagId: 'old_dag', isPaused: false };
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: legacy }));
    expect(await store.listDagStates()).toEqual([]);
    expect(await store.putDagStateIfAbsent({ dagId: 'old_dag', isPaused: true })).toBe(false);
    expect(await store.listDagStates()).toEqual([]);
    await store.setDagPaused('old_dag', true);
    expect(await store.listDagStates()).toEqual([{ dagId: 'old_dag', isPaused: true }]);
  });
});

describe('DynamoRunStore batch deletes under sustained throttling', () => {
  it('gives up after eight rounds of unprocessed items with a retryable error', async () => {
    const table = await freshTable(endpoints.dynalite);
    try {
      const store = new DynamoRunStore({ client: table.client, tableName: table.tableName });
      const key = { dagId: 'etl', runId: 'r', taskId: 't', mapIndex: -1 };
      await store.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'success' });
      spy(table, { unprocessedWrites: Number.POSITIVE_INFINITY });
      const error = await store.deleteRun('etl', 'r').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DynamoStoreError);
      expect(error).toMatchObject({ operation: 'BatchWriteItem', retryable: true });
      expect((error as Error).message).toMatch(/left 1 items unprocessed after 8 rounds/);
    } finally {
      await table.dispose();
    }
  });
});
