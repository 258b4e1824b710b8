import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DagStateRecord } from '../../../core/records';
import type { DataInterval } from '../../../core/timetables/types';
import { StaleTransitionError } from '../../../ports/errors';
import { batchGet } from './batch';
import type { TableContext } from './client';
import { call } from './errors';
import { UpdateBuilder } from './expressions';
import { dagStateFromItem, dagStateToItem } from './items';
import { queryAll } from './queries';
import { Attr, DAGS_INDEX, DAGS_PARTITION, dagKey, dagListIndex, ItemType } from './table';

/** Scheduler state of these DAGs, read consistently in chunks of 100; missing ids are absent. */
export async function getDagStates(
  ctx: TableContext,
  dagIds: readonly string[],
): Promise<Map<string, DagStateRecord>> {
  // BatchGetItem rejects a request that names one key twice.
  const unique = [...new Set(dagIds)];
  const items = await batchGet(
    ctx,
    unique.map((id) => dagKey(id)),
  );
  return new Map(
    items.map((item) => {
      const state = dagStateFromItem(item);
      return [state.dagId, state];
    }),
  );
}

/**
 * Every DAG state item, ordered by DAG id, from the sparse index GSI3 (one partition, `DAGS`):
 * a Query reading only DAG items (≈ 200 bytes each: ≈ 5 000 per 1 MB page, 0.5 RCU per 4 KB,
 * so ≈ 1 RCU per 40 DAGs), never a Scan over runs and task instances. The price is one extra
 * index write per DAG-item write (register, pause, cursor move). Eventually consistent, like
 * every GSI: a DAG registered or paused a moment ago may show its previous state.
 */
export async function listDagStates(ctx: TableContext): Promise<DagStateRecord[]> {
  const items = await queryAll(ctx, {
    IndexName: DAGS_INDEX,
    KeyConditionExpression: '#pk = :dags',
    ExpressionAttributeNames: { '#pk': Attr.GSI3PK },
    ExpressionAttributeValues: { ':dags': DAGS_PARTITION },
  });
  return items.map(dagStateFromItem);
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

/** Every write of a DAG item (re)sets its GSI3 keys, so an item written before GSI3 existed joins it. */
function dagUpdate(dagId: string): UpdateBuilder {
  return new UpdateBuilder().set('type', ItemType.Dag).set('dagId', dagId).setAll(dagListIndex(dagId));
}
