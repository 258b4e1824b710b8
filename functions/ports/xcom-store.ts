import type { JsonValue } from '../core/model';
import type { TaskInstanceKey } from '../core/records';

/** XComs: JSON values a task instance pushes under a key (`return_value` for its result). */
export interface XComStore {
  push(key: TaskInstanceKey, xcomKey: string, value: JsonValue): Promise<void>;
  /** The value, or undefined when none was pushed. */
  pull(key: TaskInstanceKey, xcomKey: string): Promise<JsonValue | undefined>;
  /** The XComs of a run (optionally of one task), ordered by task id, map index and key. */
  list(
    dagId: string,
    runId: string,
    taskId?: string,
  ): Promise<{ key: TaskInstanceKey; xcomKey: string; value: JsonValue }[]>;
}

/** One listed XCom: the task instance that pushed it, its key and its value. */
export type ListedXCom = Awaited<ReturnType<XComStore['list']>>[number];

/** An XCom value over the store's size limit; names the task and the limit. */
export class XComTooLargeError extends Error {
  override readonly name = 'XComTooLargeError';
  constructor(
    readonly key: TaskInstanceKey,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `XCom of ${key.taskId} is ${bytes} bytes, over the ${limitBytes}-byte limit; write large data to S3 and return its key`,
    );
  }
}
