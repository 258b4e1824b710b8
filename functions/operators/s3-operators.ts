import type { JsonValue } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import { BucketNotFoundError, ObjectNotFoundError, type ObjectStorage } from '../ports/object-storage';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';

/**
 * The S3 operators over the ObjectStorage port. A missing bucket or source object fails without
 * retries: waiting does not create them. Other storage errors (throttling, network) retry.
 */
export async function runS3(inv: OperatorInvocation, storage: ObjectStorage): Promise<OperatorResult> {
  try {
    return { kind: 'done', value: await dispatch(inv, storage) };
  } catch (error) {
    if (error instanceof BucketNotFoundError || error instanceof ObjectNotFoundError)
      throw new NonRetryableTaskError(error.message, { cause: error });
    throw error;
  }
}

async function dispatch(inv: OperatorInvocation, storage: ObjectStorage): Promise<JsonValue> {
  const op = inv.task.operator;
  const log = inv.context.log;
  switch (op.kind) {
    case 's3_copy': {
      await storage.copy(op.source, op.dest);
      log.info(`copied s3://${op.source.bucket}/${op.source.key} to s3://${op.dest.bucket}/${op.dest.key}`);
      return { bucket: op.dest.bucket, key: op.dest.key };
    }
    case 's3_delete': {
      // Validation refuses an empty prefix, but a templated one can still render empty.
      if (op.keys === undefined && !op.prefix)
        throw new NonRetryableTaskError(
          `s3_delete of bucket "${op.bucket}" has an empty prefix, which would delete the whole bucket; give a non-empty prefix or keys`,
        );
      // Airflow's S3DeleteObjectsOperator: a prefix is listed first, then its keys are deleted.
      const keys = op.keys ?? (await storage.list(op.bucket, op.prefix ?? ''));
      const deleted = keys.length === 0 ? 0 : await storage.delete(op.bucket, keys);
      log.info(`deleted ${deleted} object(s) from s3://${op.bucket}${op.prefix ? `/${op.prefix}` : ''}`);
      return deleted;
    }
    case 's3_list': {
      const keys = await storage.list(op.bucket, op.prefix);
      log.info(`listed ${keys.length} key(s) under s3://${op.bucket}/${op.prefix}`);
      return keys;
    }
    case 's3_put': {
      const { body, contentType } = await putBody(inv, op.body, op.fromXcom);
      await storage.put({ bucket: op.bucket, key: op.key }, body, contentType);
      log.info(`wrote ${Buffer.byteLength(body)} bytes to s3://${op.bucket}/${op.key}`);
      return { bucket: op.bucket, key: op.key };
    }
    default:
      throw new Error(`runS3 called for a "${op.kind}" task`);
  }
}

/** The object to write: the literal body, or the upstream XCom (strings as text, other values as JSON). */
async function putBody(
  inv: OperatorInvocation,
  body: string | undefined,
  fromXcom: { taskId: string; key: string } | undefined,
): Promise<{ body: string; contentType: string }> {
  if (body !== undefined || !fromXcom) return { body: body ?? '', contentType: 'text/plain; charset=utf-8' };
  const value = await inv.context.xcomPull(fromXcom.taskId, fromXcom.key);
  if (value === undefined)
    throw new NonRetryableTaskError(
      `task "${fromXcom.taskId}" pushed no XCom "${fromXcom.key}" to write; make it return a value`,
    );
  return typeof value === 'string'
    ? { body: value, contentType: 'text/plain; charset=utf-8' }
    : { body: JSON.stringify(value), contentType: 'application/json' };
}
