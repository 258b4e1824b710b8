import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { JsonValue } from '../../../core/model';
import type { TaskInstanceKey } from '../../../core/records';
import type { BlobStore } from '../../../ports/blob-store';
import { type ListedXCom, type XComStore, XComTooLargeError } from '../../../ports/xcom-store';
import { mapConcurrent } from './batch';
import { type DynamoTableOptions, type TableContext, tableContext } from './client';
import { call } from './errors';
import { CorruptItemError, decode } from './items';
import { queryAll } from './queries';
import { Attr, checkId, type ItemKey, ItemType, runPartition, xcomKey } from './table';

/** Options of DynamoXComStore. */
export interface DynamoXComStoreOptions extends DynamoTableOptions {
  /** Where values over `inlineLimitBytes` go (S3 in AWS). */
  blobs: BlobStore;
  /** Largest JSON value (UTF-8 bytes) stored in the item itself; default 64 KiB (items max out at 400 KB). */
  inlineLimitBytes?: number;
  /** Largest JSON value accepted at all; default 16 MiB. Larger data belongs in S3, passed by key. */
  maxBytes?: number;
}

/** Default of `inlineLimitBytes`. */
export const DEFAULT_INLINE_LIMIT_BYTES = 64 * 1024;
/** Largest usable `inlineLimitBytes`: a 400 KB item less room for its keys and attributes. */
const MAX_INLINE_BYTES = 350 * 1024;
/** Default of `maxBytes`. */
export const DEFAULT_MAX_XCOM_BYTES = 16 * 1024 * 1024;

// Values are JSON text: DynamoDB numbers cannot hold every JSON number, and the text's length
// is exactly what the limits measure.
const xcomItem = z.union([
  z.object({ value: z.string() }),
  z.object({ blobKey: z.string().min(1), bytes: z.number().int().nonnegative() }),
]);
/** A listed item also names its task instance and key (push writes them as attributes). */
const listedItem = z.intersection(
  z.object({ taskId: z.string(), mapIndex: z.number().int().min(-1), xcomKey: z.string() }),
  xcomItem,
);
type StoredValue = z.output<typeof xcomItem>;

/** Sort-key prefix of every XCom item of a run. */
const XCOM_PREFIX = 'XCOM#';
/** Blobs read at once while listing a run's XComs. */
const BLOB_CONCURRENCY = 8;

/**
 * XComStore on the run-state table: a value is an item in its run's partition
 * (`XCOM#<taskId>#<mapIndex>#<key>`), inline up to `inlineLimitBytes`, else a pointer to a blob
 * under `xcom/<dagId>/<runId>/<taskId>/<mapIndex>/<key>.json`. A re-push overwrites; a blob left
 * behind by a large value later replaced by a small one is garbage for the bucket's lifecycle rule.
 */
export class DynamoXComStore implements XComStore {
  private readonly ctx: TableContext;
  private readonly blobs: BlobStore;
  private readonly inlineLimitBytes: number;
  private readonly maxBytes: number;

  constructor(options: DynamoXComStoreOptions) {
    this.ctx = tableContext(options);
    this.blobs = options.blobs;
    this.inlineLimitBytes = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_XCOM_BYTES;
    if (this.inlineLimitBytes > MAX_INLINE_BYTES) {
      throw new RangeError(
        `inlineLimitBytes ${this.inlineLimitBytes} is over ${MAX_INLINE_BYTES}: such items would exceed DynamoDB's 400 KB`,
      );
    }
  }

  async push(key: TaskInstanceKey, xcomKeyName: string, value: JsonValue): Promise<void> {
    const text = JSON.stringify(value);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxBytes) throw new XComTooLargeError(key, bytes, this.maxBytes);
    const itemKey = xcomKey(key, xcomKeyName);
    let payload: Record<string, unknown> = { value: text };
    if (bytes > this.inlineLimitBytes) {
      // The blob first: a pointer item never names a blob that is not there.
      const blobKey = blobKeyOf(key, xcomKeyName);
      await this.blobs.put(blobKey, text, 'application/json');
      payload = { blobKey, bytes };
    }
    const item = {
      ...itemKey,
      type: ItemType.XCom,
      dagId: key.dagId,
      runId: key.runId,
      taskId: key.taskId,
      mapIndex: key.mapIndex,
      xcomKey: xcomKeyName,
      ...payload,
    };
    await call({ operation: 'PutItem', tableName: this.ctx.tableName, key: itemKey }, () =>
      this.ctx.doc.send(new PutCommand({ TableName: this.ctx.tableName, Item: item })),
    );
  }

  async pull(key: TaskInstanceKey, xcomKeyName: string): Promise<JsonValue | undefined> {
    const itemKey = xcomKey(key, xcomKeyName);
    // Strongly consistent: a downstream task pulls right after its upstream pushed.
    const { Item } = await call({ operation: 'GetItem', tableName: this.ctx.tableName, key: itemKey }, () =>
      this.ctx.doc.send(
        new GetCommand({ TableName: this.ctx.tableName, Key: itemKey, ConsistentRead: true }),
      ),
    );
    if (!Item) return undefined;
    return this.valueOf(decode(ItemType.XCom, xcomItem, Item), itemKey);
  }

  /**
   * One strongly consistent Query of the run partition (`begins_with(SK, 'XCOM#<task>#')`, so
   * task instances are not read), whose sort key gives the order: task id (`#` sorts before every
   * character a task id may hold), zero-padded map index, key in UTF-8 byte order. Costs 1 RCU
   * per 4 KB of XCom items (inline values included) and one request per 1 MB, plus one blob read
   * per value stored out of line, eight at a time.
   */
  async list(dagId: string, runId: string, taskId?: string): Promise<ListedXCom[]> {
    const prefix = taskId === undefined ? XCOM_PREFIX : `${XCOM_PREFIX}${checkId('task id', taskId)}#`;
    const items = await queryAll(this.ctx, {
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': Attr.PK, '#sk': Attr.SK },
      ExpressionAttributeValues: { ':pk': runPartition(dagId, runId), ':prefix': prefix },
      ConsistentRead: true,
    });
    return mapConcurrent(items, BLOB_CONCURRENCY, async (item) => {
      const stored = decode(ItemType.XCom, listedItem, item);
      const key = { dagId, runId, taskId: stored.taskId, mapIndex: stored.mapIndex };
      const value = await this.valueOf(stored, { PK: String(item.PK), SK: String(item.SK) });
      return { key, xcomKey: stored.xcomKey, value };
    });
  }

  private async valueOf(stored: StoredValue, itemKey: ItemKey): Promise<JsonValue> {
    if ('value' in stored) return parseJson(stored.value, itemKey.PK, itemKey.SK);
    const body = await this.blobs.get(stored.blobKey);
    if (!body) {
      throw new CorruptItemError(itemKey.PK, itemKey.SK, [`blob ${stored.blobKey} it points to is missing`]);
    }
    return parseJson(new TextDecoder().decode(body), itemKey.PK, itemKey.SK);
  }
}

/** The blob key of a large XCom value. */
export function blobKeyOf(key: TaskInstanceKey, xcomKeyName: string): string {
  return `xcom/${key.dagId}/${key.runId}/${key.taskId}/${key.mapIndex}/${xcomKeyName}.json`;
}

function parseJson(text: string, pk: string, sk: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new CorruptItemError(pk, sk, [`value is not JSON: ${(error as Error).message}`]);
  }
}
