import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { DagRunRecord, TaskInstanceRecord } from '../../../core/records';
import type { TableContext } from './client';
import { call } from './errors';
import { type Item, instanceFromItem, runFromItem } from './items';
import {
  ACTIVE_PARTITION,
  ACTIVE_RUNS_INDEX,
  Attr,
  dagPartition,
  RUNS_BY_LOGICAL_DATE_INDEX,
  runPartition,
  TASK_INSTANCE_PREFIX,
} from './table';

/** A Query's input without the table name, which the context supplies. */
export type QueryInput = Omit<QueryCommandInput, 'TableName'>;

/** One page of a query (errors translated by `call`). */
export async function queryPage(ctx: TableContext, input: QueryInput): Promise<QueryCommandOutput> {
  return call({ operation: 'Query', tableName: ctx.tableName }, () =>
    ctx.doc.send(new QueryCommand({ ...input, TableName: ctx.tableName })),
  );
}

/** Every item a query matches, following LastEvaluatedKey through all pages. */
export async function queryAll(ctx: TableContext, input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage(ctx, { ...input, ExclusiveStartKey: start });
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every task instance of a run, ordered by task id then map index (strongly consistent). */
export async function listTaskInstances(
  ctx: TableContext,
  dagId: string,
  runId: string,
): Promise<TaskInstanceRecord[]> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': Attr.PK, '#sk': Attr.SK },
    ExpressionAttributeValues: { ':pk': runPartition(dagId, runId), ':prefix': TASK_INSTANCE_PREFIX },
    ConsistentRead: true,
  });
  return items.map(instanceFromItem);
}

/**
 * Every queued or running run, from the sparse index GSI1. GSIs are eventually consistent: a run
 * created or finished a moment ago may be missing or still listed. Callers re-read a run
 * (consistently) before acting on it, and the next tick sees the index caught up.
 */
export async function listActiveRuns(ctx: TableContext): Promise<DagRunRecord[]> {
  const items = await queryAll(ctx, {
    IndexName: ACTIVE_RUNS_INDEX,
    KeyConditionExpression: '#pk = :active',
    ExpressionAttributeNames: { '#pk': Attr.GSI1PK },
    ExpressionAttributeValues: { ':active': ACTIVE_PARTITION },
  });
  return items.map(runFromItem);
}

/**
 * The run with the latest logical date before `logicalDate`, from GSI2 (eventually consistent,
 * which is fine for depends_on_past: the previous run was created long before this one).
 */
export async function previousRun(
  ctx: TableContext,
  dagId: string,
  logicalDate: string,
): Promise<DagRunRecord | undefined> {
  const page = await call({ operation: 'Query', tableName: ctx.tableName }, () =>
    ctx.doc.send(
      new QueryCommand({
        TableName: ctx.tableName,
        IndexName: RUNS_BY_LOGICAL_DATE_INDEX,
        KeyConditionExpression: '#pk = :pk AND #sk < :ld',
        ExpressionAttributeNames: { '#pk': Attr.GSI2PK, '#sk': Attr.GSI2SK },
        ExpressionAttributeValues: { ':pk': dagPartition(dagId), ':ld': logicalDate },
        ScanIndexForward: false,
        Limit: 1,
      }),
    ),
  );
  const item = page.Items?.[0];
  return item && runFromItem(item);
}
