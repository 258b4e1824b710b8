import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DagRunRecord } from '../../../core/records';
import { RunAlreadyExistsError } from '../../../ports/errors';
import type { TableContext } from './client';
import { call } from './errors';
import { type LogicalDateMarker, markerFromItem, markerToItem, runFromItem, runToItem } from './items';
import { logicalDateKey, runKey } from './table';

/**
 * Creates a run with two single-item conditional puts instead of a transaction (dynalite has
 * none): first a marker item that reserves the logical date (`LD#<date>` → run id), then the run.
 *
 * A crash between the two puts leaves a marker without its run. Such an orphan is taken over
 * by a later create: at once by a retry of the same run id, and by any other run id once the
 * marker is older than `orphanGraceMs`. The grace keeps a create that is between its two puts
 * from losing its marker to a concurrent one (which would give two runs one logical date).
 */
export interface CreateRunOptions {
  /** Age (ms) after which a marker whose run is missing may be taken over; default 60 000. */
  orphanGraceMs: number;
  /** Wall clock in epoch ms (markers record when they were written). */
  now: () => number;
}

const MAX_RESERVE_ATTEMPTS = 3;

/** Writes the run, or throws RunAlreadyExistsError when its id or logical date is taken. */
export async function createRun(
  ctx: TableContext,
  run: DagRunRecord,
  options: CreateRunOptions,
): Promise<void> {
  await reserveLogicalDate(ctx, run, options);
  const key = runKey(run.dagId, run.runId);
  const created = await call(
    { operation: 'PutItem', tableName: ctx.tableName, key },
    async () => {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: runToItem(run),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    },
    () => false,
  );
  if (created) return;
  // The run id exists. Our marker is right if that run has the same logical date; otherwise it
  // reserves a date for nothing, so release it (only if it still names this run id).
  const existing = await getRun(ctx, run.dagId, run.runId);
  if (existing?.logicalDate !== run.logicalDate)
    await releaseMarker(ctx, run.dagId, run.runId, run.logicalDate);
  throw new RunAlreadyExistsError(run.dagId, run.runId);
}

async function reserveLogicalDate(
  ctx: TableContext,
  run: DagRunRecord,
  options: CreateRunOptions,
): Promise<void> {
  let holder = run.runId;
  for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
    const fresh: LogicalDateMarker = {
      runId: run.runId,
      logicalDate: run.logicalDate,
      createdAt: options.now(),
    };
    if (await putMarker(ctx, run.dagId, fresh, undefined)) return;
    const current = await getMarker(ctx, run.dagId, run.logicalDate);
    if (!current) continue; // released meanwhile: try again
    // Our own marker: a retry after a crash, or a concurrent create of the same id (the run put decides).
    if (current.runId === run.runId) return;
    holder = current.runId;
    const holderRun = await getRun(ctx, run.dagId, current.runId);
    if (holderRun?.logicalDate === run.logicalDate) break;
    if (options.now() - current.createdAt < options.orphanGraceMs) break;
    if (await putMarker(ctx, run.dagId, fresh, current)) return;
  }
  throw new RunAlreadyExistsError(run.dagId, holder);
}

/** Puts a marker if none exists (`previous` undefined) or if it still is `previous`; false when not. */
async function putMarker(
  ctx: TableContext,
  dagId: string,
  marker: LogicalDateMarker,
  previous: LogicalDateMarker | undefined,
): Promise<boolean> {
  const key = logicalDateKey(dagId, marker.logicalDate);
  const condition = previous
    ? {
        ConditionExpression: 'runId = :runId AND createdAt = :createdAt',
        ExpressionAttributeValues: { ':runId': previous.runId, ':createdAt': previous.createdAt },
      }
    : { ConditionExpression: 'attribute_not_exists(PK)' };
  return call(
    { operation: 'PutItem', tableName: ctx.tableName, key },
    async () => {
      await ctx.doc.send(
        new PutCommand({ TableName: ctx.tableName, Item: markerToItem(dagId, marker), ...condition }),
      );
      return true;
    },
    () => false,
  );
}

/** Deletes the logical-date marker if it still names this run (a new run may have taken it over). */
export async function releaseMarker(
  ctx: TableContext,
  dagId: string,
  runId: string,
  logicalDate: string,
): Promise<void> {
  const key = logicalDateKey(dagId, logicalDate);
  await call(
    { operation: 'DeleteItem', tableName: ctx.tableName, key },
    async () => {
      await ctx.doc.send(
        new DeleteCommand({
          TableName: ctx.tableName,
          Key: key,
          ConditionExpression: '#runId = :runId',
          ExpressionAttributeNames: { '#runId': 'runId' },
          ExpressionAttributeValues: { ':runId': runId },
        }),
      );
    },
    () => undefined,
  );
}

async function getMarker(
  ctx: TableContext,
  dagId: string,
  logicalDate: string,
): Promise<LogicalDateMarker | undefined> {
  const key = logicalDateKey(dagId, logicalDate);
  const { Item } = await call({ operation: 'GetItem', tableName: ctx.tableName, key }, () =>
    ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true })),
  );
  return Item && markerFromItem(Item);
}

/** Reads a run with a strongly consistent read. */
export async function getRun(
  ctx: TableContext,
  dagId: string,
  runId: string,
): Promise<DagRunRecord | undefined> {
  const key = runKey(dagId, runId);
  const { Item } = await call({ operation: 'GetItem', tableName: ctx.tableName, key }, () =>
    ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true })),
  );
  return Item && runFromItem(Item);
}
