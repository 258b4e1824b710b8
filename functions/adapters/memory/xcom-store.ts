import type { JsonValue } from '../../core/model';
import { formatKey, type TaskInstanceKey } from '../../core/records';
import { type XComStore, XComTooLargeError } from '../../ports/xcom-store';

/** XComStore in process memory; values are copied so a task cannot mutate another's input. */
export class MemoryXComStore implements XComStore {
  private readonly values = new Map<string, JsonValue>();

  /** `maxBytes`: the same JSON size limit as the DynamoDB store's (16 MiB by default). */
  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  async push(key: TaskInstanceKey, xcomKey: string, value: JsonValue): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > this.maxBytes) throw new XComTooLargeError(key, bytes, this.maxBytes);
    this.values.set(`${formatKey(key)}#${xcomKey}`, structuredClone(value));
  }

  async pull(key: TaskInstanceKey, xcomKey: string): Promise<JsonValue | undefined> {
    const value = this.values.get(`${formatKey(key)}#${xcomKey}`);
    return value === undefined ? undefined : structuredClone(value);
  }
}
