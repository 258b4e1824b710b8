import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DagStateRecord } from '../../../core/records';
import type { DataInterval } from '../../../core/timetables/types';
import { StaleTransitionError } from '../../../ports/errors';
import type { TableContext } from './client';
import { call, DynamoStoreError } from './errors';
import { UpdateBuilder } from './expressions';
import { dagStateFromItem, dagStateToItem, type Item } from './items';
import { dagKey, type ItemKey, ItemType } from './table';

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
/** Rounds of UnprocessedKeys retries before giving up (backoff 25 ms doubling, ≈ 6 s in all). */
const MAX_UNPROCESSED_ROUNDS = 8;

/** Scheduler state of these DAGs, read consistently in chunks of 100; missing ids are absent. */
export async function getDagStates(
  ctx: TableContext,
  dagIds: readonly string[],
): Promise<Map<string, DagStateRecord>> {
  // BatchGetItem rejects a request that names one key twice.
  const unique = [...new Set(dagIds)];
  const found = new Map<string, DagStateRecord>();
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    const items = await batchGet(
      ctx,
      unique.slice(i, i + BATCH_GET_LIMIT).map((id) => dagKey(id)),
    );
    for (const item of items) {
      const state = dagStateFromItem(item);
      found.set(state.dagId, state);
    }
  }
  return found;
}

async function batchGet(ctx: TableContext, keys: ItemKey[]): Promise<Item[]> {
  const items: Item[] = [];
  let pending: Record<string, unknown>[] = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_UNPROCESSED_ROUNDS) {
      throw new DynamoStoreError(
        `DynamoDB BatchGetItem in table ${ctx.tableName} left ${pending.length} keys unprocessed after ${round} rounds`,
        'BatchGetItem',
        ctx.tableName,
        undefined,
        true,
      );
    }
    if (round > 0) await sleep(25 * 2 ** (round - 1));
    const request = pending;
    const out = await call({ operation: 'BatchGetItem', tableName: ctx.tableName }, () =>
      ctx.doc.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: request, ConsistentRead: true } } }),
      ),
    );
    items.push(...(out.Responses?.[ctx.tableName] ?? []));
    pending = out.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
  }
  return items;
}

/** Writes a DAG's state unless it has an item already; false when it had. */
export async function putDagStateIfAbsent(ctx: TableContext, state: DagStateRecord): Promise<boolean> {
  const key = dagKey(state.dagId);
  return call(
    { operation: 'PutItem', tableName: ctx.tableName, key },
    async () => {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: dagStateToItem(state),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    },
    () => false,
  );
}

/** Moves the cursor if it still is `expected` (undefined: no cursor yet, or no item at all). */
export async function advanceDagCursor(
  ctx: TableContext,
  dagId: string,
  expected: DataInterval | undefined,
  next: DataInterval,
): Promise<void> {
  const key = dagKey(dagId);
  const update = dagUpdate(dagId)
    .set('cursorStart', next.start)
    .set('cursorEnd', next.end)
    .setIfAbsent('isPaused', false)
    .condition((c) =>
      expected
        ? `${c.name('cursorStart')} = ${c.value(expected.start)} AND ${c.name('cursorEnd')} = ${c.value(expected.end)}`
        : `attribute_not_exists(${c.name('cursorStart')})`,
    );
  await call(
    { operation: 'UpdateItem', tableName: ctx.tableName, key },
    async () => {
      await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, Key: key, ...update.build() }));
    },
    () => {
      const from = expected ? `${expected.start}/${expected.end}` : 'none';
      throw new StaleTransitionError(
        `DAG ${dagId} cursor moved: expected ${from}, another tick advanced it`,
        {
          dagId,
          expected,
          next,
        },
      );
    },
  );
}

/** Sets `isPaused`, creating the DAG's item if needed. */
export async function setDagPaused(ctx: TableContext, dagId: string, isPaused: boolean): Promise<void> {
  const key = dagKey(dagId);
  const update = dagUpdate(dagId).set('isPaused', isPaused);
  await call({ operation: 'UpdateItem', tableName: ctx.tableName, key }, async () => {
    await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, Key: key, ...update.build() }));
  });
}

function dagUpdate(dagId: string): UpdateBuilder {
  return new UpdateBuilder().set('type', ItemType.Dag).set('dagId', dagId);
}
