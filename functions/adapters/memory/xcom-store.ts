import type { JsonValue } from '../../core/model';
import { formatKey, keyOf, type TaskInstanceKey } from '../../core/records';
import { type ListedXCom, type XComStore, XComTooLargeError } from '../../ports/xcom-store';

/** XComStore in process memory; values are copied so a task cannot mutate another's input. */
export class MemoryXComStore implements XComStore {
  private readonly values = new Map<string, ListedXCom>();

  /** `maxBytes`: the same JSON size limit as the DynamoDB store's (16 MiB by default). */
  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  async push(key: TaskInstanceKey, xcomKey: string, value: JsonValue): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > this.maxBytes) throw new XComTooLargeError(key, bytes, this.maxBytes);
    this.values.set(`${formatKey(key)}#${xcomKey}`, {
      key: keyOf(key),
      xcomKey,
      value: structuredClone(value),
    });
  }

  async pull(key: TaskInstanceKey, xcomKey: string): Promise<JsonValue | undefined> {
    const stored = this.values.get(`${formatKey(key)}#${xcomKey}`);
    return stored === undefined ? undefined : structuredClone(stored.value);
  }

  async list(dagId: string, runId: string, taskId?: string): Promise<ListedXCom[]> {
    return [...this.values.values()]
      .filter(({ key }) => isOfRun(key, dagId, runId) && (taskId === undefined || key.taskId === taskId))
      .sort(compareXComs)
      .map((x) => structuredClone(x));
  }

  /**
   * Drops every XCom of a run (not part of the port: MemoryRunStore.deleteRun calls it when given
   * this store, as the DynamoDB run store deletes the XCom items sharing its run partition).
   */
  deleteRun(dagId: string, runId: string): void {
    for (const [id, { key }] of this.values) if (isOfRun(key, dagId, runId)) this.values.delete(id);
  }
}

function isOfRun(key: TaskInstanceKey, dagId: string, runId: string): boolean {
  return key.dagId === dagId && key.runId === runId;
}

/** Task id, map index numerically, then key: the DynamoDB sort-key order (code points, i.e. UTF-8 bytes). */
function compareXComs(a: ListedXCom, b: ListedXCom): number {
  return (
    compareCodePoints(a.key.taskId, b.key.taskId) ||
    a.key.mapIndex - b.key.mapIndex ||
    compareCodePoints(a.xcomKey, b.xcomKey)
  );
}

// JS `<` compares UTF-16 code units, which orders some non-BMP characters before U+E000–U+FFFF.
function compareCodePoints(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; ) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}
