import type { ObjectLocation } from '../core/model';
import { RETURN_VALUE_KEY } from '../core/task-context';
import { currentBuilder } from './builder';
import { declare } from './operators';
import type { TaskOptions } from './options';
import { isXComArg, type TaskRef, type XComArg } from './refs';

/**
 * S3 operators (Airflow's S3CopyObjectOperator, S3DeleteObjectsOperator, S3ListOperator and
 * S3CreateObjectOperator). In AWS they use the worker's role; in local mode the emulated S3,
 * where a bucket is created on first use.
 */

/** Copies one object (Airflow's S3CopyObjectOperator); the XCom is the destination `{ bucket, key }`. */
export function s3Copy(
  options: TaskOptions & { source: ObjectLocation; dest: ObjectLocation },
): TaskRef<ObjectLocation> {
  const { source, dest, ...rest } = options;
  return declare(
    {
      kind: 's3_copy',
      source: { bucket: source.bucket, key: source.key },
      dest: { bucket: dest.bucket, key: dest.key },
    },
    rest,
  );
}

/**
 * Deletes the given keys, or every object under a non-empty prefix (Airflow's
 * S3DeleteObjectsOperator); the XCom is the number of deleted objects.
 */
export function s3Delete(
  options: TaskOptions & { bucket: string } & (
      | { keys: string[]; prefix?: never }
      | { prefix: string; keys?: never }
    ),
): TaskRef<number> {
  const { bucket, keys, prefix, ...rest } = options;
  return declare(
    {
      kind: 's3_delete',
      bucket,
      ...(keys !== undefined && { keys }),
      ...(prefix !== undefined && { prefix }),
    },
    rest,
  );
}

/** Lists the keys under a prefix (Airflow's S3ListOperator); the XCom is the list of keys. */
export function s3List(options: TaskOptions & { bucket: string; prefix?: string }): TaskRef<string[]> {
  const { bucket, prefix = '', ...rest } = options;
  return declare({ kind: 's3_list', bucket, prefix }, rest);
}

/**
 * Writes one object (Airflow's S3CreateObjectOperator): `body` as text, or `fromXcom` (a task
 * output or a task id): a string XCom as text, any other value as JSON. Passing a task output
 * also makes that task upstream. An existing object is replaced (Airflow's `replace=True`).
 * The XCom is the written `{ bucket, key }`.
 */
export function s3Put(
  options: TaskOptions & { bucket: string; key: string } & (
      | { body: string; fromXcom?: never }
      | { fromXcom: XComArg<unknown> | string; body?: never }
    ),
): TaskRef<ObjectLocation> {
  const { bucket, key, body, fromXcom, ...rest } = options;
  const source =
    fromXcom === undefined
      ? undefined
      : isXComArg(fromXcom)
        ? { taskId: fromXcom.taskId, key: fromXcom.key }
        : { taskId: fromXcom, key: RETURN_VALUE_KEY };
  const ref = declare<ObjectLocation>(
    {
      kind: 's3_put',
      bucket,
      key,
      ...(body !== undefined && { body }),
      ...(source && { fromXcom: source }),
    },
    rest,
  );
  // A task output is data flow, as in TaskFlow: it implies the dependency. A bare id does not.
  if (isXComArg(fromXcom)) currentBuilder('s3Put').find(ref.taskId)!.upstream.add(fromXcom.taskId);
  return ref;
}
