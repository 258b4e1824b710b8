import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { batchDelete } from './batch';
import type { TableContext } from './client';
import { releaseMarker } from './create-run';
import { call } from './errors';
import { queryAll } from './queries';
import { Attr, type ItemKey, runKey, runPartition } from './table';

/**
 * Deletes a run, its logical-date marker and every item of its partition `RUN#<dag>#<run>`
 * (task instances and XCom items; XCom blobs are left to the bucket's lifecycle rule).
 * A delete is not a state transition, so the partition goes in unconditional batches.
 *
 * The run item goes first, in one DeleteItem that also returns it (its logical date names the
 * marker): workers and the mini-scheduler re-read the run consistently before acting, so from
 * then on they drop its messages instead of queuing its tasks again. The partition is swept even
 * when the run item is missing, so a retry after a crash mid-delete (which answers false) still
 * removes what was left. Requests: 1 DeleteItem for the run, 1 for the marker, one key-only Query
 * per 1 MB of the partition (strongly consistent: 1 RCU per 4 KB read, inline XCom values
 * included, since a projection does not reduce the read cost), and one BatchWriteItem per 25
 * items (1 WCU per KB of each deleted item), four at a time.
 *
 * Fragile: a running task loses its final conditional write (its instance is gone) and drops
 * its result, but a tick that read GSI1 just before the delete (the index lags by up to about a
 * second) can still write an instance of the deleted run; a second delete removes it.
 */
export async function deleteRun(ctx: TableContext, dagId: string, runId: string): Promise<boolean> {
  const key = runKey(dagId, runId);
  const { Attributes: run } = await call({ operation: 'DeleteItem', tableName: ctx.tableName, key }, () =>
    ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: key, ReturnValues: 'ALL_OLD' })),
  );
  if (typeof run?.logicalDate === 'string') await releaseMarker(ctx, dagId, runId, run.logicalDate);
  await batchDelete(ctx, await partitionKeys(ctx, runPartition(dagId, runId)));
  return run !== undefined;
}

/** The keys of every item in a partition, read consistently (a just-written instance must not be missed). */
async function partitionKeys(ctx: TableContext, partition: string): Promise<ItemKey[]> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: '#pk = :pk',
    ProjectionExpression: '#pk, #sk',
    ExpressionAttributeNames: { '#pk': Attr.PK, '#sk': Attr.SK },
    ExpressionAttributeValues: { ':pk': partition },
    ConsistentRead: true,
  });
  return items.map((item) => ({ PK: String(item.PK), SK: String(item.SK) }));
}
