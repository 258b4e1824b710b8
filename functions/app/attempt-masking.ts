import type { AttemptResult } from '../core/attempt';
import { SecretMasker } from '../core/masking';
import type { JsonValue } from '../core/model';
import type { TaskInstanceKey } from '../core/records';
import { displayEntry, displayXComKey } from '../core/xcom-display';
import type { SecretProvider } from '../ports/secret-provider';
import type { TaskLog } from '../ports/task-log';
import type { XComStore } from '../ports/xcom-store';

/**
 * Secret masking for one attempt (Airflow's secrets masker): one masker, fed by the context's
 * `connection()`, `variable()` and `mask()`, hides those secrets in the attempt's log lines, its
 * failure reason and the API's view of its XComs. Downstream tasks still pull the real values.
 */
export function startMasking<D extends { xcom: XComStore }>(deps: D, log: TaskLog, tryNumber?: number) {
  const masker = new SecretMasker();
  // Try numbers only grow (a clear keeps them), so try 1 has no earlier try's copy to replace.
  const xcom = maskingXComStore(deps.xcom, masker, { firstTry: tryNumber === 1 });
  return {
    masker,
    /** The attempt's ports: XCom pushes also store a masked display copy when they hold a secret. */
    deps: { ...deps, xcom, masker },
    /** The attempt's log, every line masked (task log calls and bash output alike). */
    log: maskedLog(log, masker),
    /** The result with its reason masked, before it is written onto the task instance. */
    result: (result: AttemptResult): AttemptResult =>
      'reason' in result ? { ...result, reason: masker.mask(result.reason) } : result,
  };
}

/** A TaskLog that masks each line before writing it. */
export function maskedLog(log: TaskLog, masker: SecretMasker): TaskLog {
  return {
    write: (level, message) => log.write(level, masker.mask(message)),
    close: () => log.close(),
  };
}

/**
 * An XComStore whose pushes also store the masked display copy (see core/xcom-display). The copy
 * goes first, so a reader never sees a fresh secret before its mask; a value without secrets
 * replaces an earlier try's copy only when there is one (one read, no write) — and on a first try,
 * which has no earlier copy, not even the read: the worker's per-task path stays one write.
 */
export function maskingXComStore(
  xcom: XComStore,
  masker: SecretMasker,
  options: { firstTry?: boolean } = {},
): XComStore {
  const earlierCopy = async (key: TaskInstanceKey, xcomKey: string) =>
    !options.firstTry && (await xcom.pull(key, displayXComKey(xcomKey))) !== undefined;
  return {
    push: async (key: TaskInstanceKey, xcomKey: string, value: JsonValue) => {
      const masked = masker.maskJson(value);
      const hasSecret = JSON.stringify(masked) !== JSON.stringify(value);
      if (hasSecret || (await earlierCopy(key, xcomKey))) {
        await xcom.push(key, displayXComKey(xcomKey), displayEntry(value, masked));
      }
      await xcom.push(key, xcomKey, value);
    },
    pull: (key, xcomKey) => xcom.pull(key, xcomKey),
    list: (dagId, runId, taskId) => xcom.list(dagId, runId, taskId),
  };
}

/** Secrets read while rendering are masked like those the task reads through its context. */
export function registeringSecrets(secrets: SecretProvider | undefined, masker: SecretMasker | undefined) {
  if (!secrets || !masker) return secrets;
  return {
    connection: async (id: string) => {
      const found = await secrets.connection(id);
      if (found) masker.addConnection(found);
      return found;
    },
    variable: async (key: string) => {
      const value = await secrets.variable(key);
      if (value !== undefined) masker.addVariable(key, value);
      return value;
    },
  };
}
