import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './client';
import { call, DynamoStoreError } from './errors';
import type { Item } from './items';
import type { ItemKey } from './table';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
/** BatchWriteItem writes at most 25 items per call. */
const BATCH_WRITE_LIMIT = 25;
/** Batch calls in flight at once: enough to delete a large run quickly, few enough not to throttle. */
const BATCH_CONCURRENCY = 4;
/** Rounds of unprocessed-key retries before giving up (backoff 25 ms doubling, ≈ 6 s in all). */
const MAX_UNPROCESSED_ROUNDS = 8;

/**
 * Sends one chunk of a batch call until nothing is left unprocessed. `send` gets the pending
 * requests and returns what DynamoDB left unprocessed (under load it may leave any part).
 */
async function untilProcessed<T>(
  ctx: TableContext,
  operation: string,
  requests: T[],
  send: (pending: T[]) => Promise<T[]>,
): Promise<void> {
  let pending = requests;
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_UNPROCESSED_ROUNDS) {
      throw new DynamoStoreError(
        `DynamoDB ${operation} in table ${ctx.tableName} left ${pending.length} items unprocessed after ${round} rounds`,
        operation,
        ctx.tableName,
        undefined,
        true,
      );
    }
    if (round > 0) await sleep(25 * 2 ** (round - 1));
    pending = await send(pending);
  }
}

/** Reads items by key, consistently, in chunks of 100; missing keys are left out (in no particular order). */
export async function batchGet(ctx: TableContext, keys: readonly ItemKey[]): Promise<Item[]> {
  const items: Item[] = [];
  for (const chunk of chunks(keys, BATCH_GET_LIMIT)) {
    await untilProcessed<Record<string, unknown>>(ctx, 'BatchGetItem', chunk, async (pending) => {
      const out = await call({ operation: 'BatchGetItem', tableName: ctx.tableName }, () =>
        ctx.doc.send(
          new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ConsistentRead: true } } }),
        ),
      );
      items.push(...(out.Responses?.[ctx.tableName] ?? []));
      return out.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
    });
  }
  return items;
}

/**
 * Deletes items by key in chunks of 25, four chunks at a time. Not conditional and not atomic:
 * for cleanup (a deleted run's partition), never for a state transition.
 */
export async function batchDelete(ctx: TableContext, keys: readonly ItemKey[]): Promise<void> {
  await mapConcurrent(chunks(keys, BATCH_WRITE_LIMIT), BATCH_CONCURRENCY, (chunk) =>
    untilProcessed<WriteRequest>(
      ctx,
      'BatchWriteItem',
      chunk.map((Key) => ({ DeleteRequest: { Key } })),
      async (pending) => {
        const out = await call({ operation: 'BatchWriteItem', tableName: ctx.tableName }, () =>
          ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } })),
        );
        return out.UnprocessedItems?.[ctx.tableName] ?? [];
      },
    ),
  );
}

/** `work` on every input with at most `concurrency` in flight; results in input order. */
export async function mapConcurrent<T, R>(
  inputs: readonly T[],
  concurrency: number,
  work: (input: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await work(inputs[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
