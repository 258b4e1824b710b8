import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DEFAULT_POOL } from '../../../core/model';
import { IMPLICIT_DEFAULT_POOL, type PoolRecord, poolProblem, withDefaultPool } from '../../../core/pools';
import {
  defaultPoolNotDeletable,
  PoolAlreadyExistsError,
  PoolNotFoundError,
  type PoolWriteMode,
} from '../../../ports/pool-store';
import type { TableContext } from './client';
import { call } from './errors';
import { decode, type Item } from './items';
import { queryAll } from './queries';
import { Attr, ItemType, POOLS_PARTITION, poolKey } from './table';

const poolSchema = z
  .object({
    name: z.string().min(1),
    slots: z.number().int().nonnegative(),
    description: z.string().optional(),
  })
  .transform(
    ({ name, slots, description }): PoolRecord => ({
      name,
      slots,
      ...(description !== undefined && { description }),
    }),
  );

function poolFromItem(item: Item): PoolRecord {
  return decode(ItemType.Pool, poolSchema, item);
}

/** One pool, read consistently; the implicit `default_pool` when it was never stored. */
export async function getPool(ctx: TableContext, name: string): Promise<PoolRecord | undefined> {
  const key = poolKey(name);
  const { Item } = await call({ operation: 'GetItem', tableName: ctx.tableName, key }, () =>
    ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true })),
  );
  if (Item) return poolFromItem(Item);
  return name === DEFAULT_POOL ? { ...IMPLICIT_DEFAULT_POOL } : undefined;
}

/** Every pool: one consistent Query of the `POOLS` partition (no Scan, no GSI lag). */
export async function listPools(ctx: TableContext): Promise<PoolRecord[]> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: '#pk = :pools',
    ExpressionAttributeNames: { '#pk': Attr.PK },
    ExpressionAttributeValues: { ':pools': POOLS_PARTITION },
    ConsistentRead: true,
  });
  return withDefaultPool(items.map(poolFromItem));
}

/** Writes a whole pool item, conditional on `mode` (the implicit `default_pool` counts as existing). */
export async function putPool(ctx: TableContext, pool: PoolRecord, mode: PoolWriteMode): Promise<PoolRecord> {
  const problem = poolProblem(pool);
  if (problem) throw new RangeError(problem);
  const isDefault = pool.name === DEFAULT_POOL;
  if (mode === 'create' && isDefault) throw new PoolAlreadyExistsError(pool.name);
  const stored: PoolRecord = {
    name: pool.name,
    slots: pool.slots,
    ...(pool.description !== undefined && { description: pool.description }),
  };
  const key = poolKey(pool.name);
  const condition =
    mode === 'create'
      ? 'attribute_not_exists(PK)'
      : mode === 'update' && !isDefault
        ? 'attribute_exists(PK)'
        : undefined;
  await call(
    { operation: 'PutItem', tableName: ctx.tableName, key },
    async () => {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: { ...key, type: ItemType.Pool, ...stored },
          ...(condition && { ConditionExpression: condition }),
        }),
      );
    },
    () => {
      throw mode === 'create' ? new PoolAlreadyExistsError(pool.name) : new PoolNotFoundError(pool.name);
    },
  );
  return stored;
}

/** Deletes a pool item; false when there was none. */
export async function deletePool(ctx: TableContext, name: string): Promise<boolean> {
  if (name === DEFAULT_POOL) throw defaultPoolNotDeletable();
  const key = poolKey(name);
  const { Attributes } = await call({ operation: 'DeleteItem', tableName: ctx.tableName, key }, () =>
    ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: key, ReturnValues: 'ALL_OLD' })),
  );
  return Attributes !== undefined;
}
