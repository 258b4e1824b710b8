import type { JsonValue } from '../../core/model';
import { formatKey, type TaskInstanceKey } from '../../core/records';
import type { XComStore } from '../../ports/xcom-store';

/** XComStore in process memory; values are copied so a task cannot mutate another's input. */
export class MemoryXComStore implements XComStore {
  private readonly values = new Map<string, JsonValue>();

  async push(key: TaskInstanceKey, xcomKey: string, value: JsonValue): Promise<void> {
    this.values.set(`${formatKey(key)}#${xcomKey}`, structuredClone(value));
  }

  async pull(key: TaskInstanceKey, xcomKey: string): Promise<JsonValue | undefined> {
    const value = this.values.get(`${formatKey(key)}#${xcomKey}`);
    return value === undefined ? undefined : structuredClone(value);
  }
}
