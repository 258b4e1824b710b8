import type { JsonValue } from '../core/model';
import type { TaskInstanceKey } from '../core/records';

/** XComs: JSON values a task instance pushes under a key (`return_value` for its result). */
export interface XComStore {
  push(key: TaskInstanceKey, xcomKey: string, value: JsonValue): Promise<void>;
  /** The value, or undefined when none was pushed. */
  pull(key: TaskInstanceKey, xcomKey: string): Promise<JsonValue | undefined>;
}
