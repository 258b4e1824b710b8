import { secretEnvName } from '../core/connection';
import type { SecretMasker } from '../core/masking';
import type { DagSpec, JsonValue } from '../core/model';
import type { DagRunRecord, TaskInstanceKey } from '../core/records';
import { RETURN_VALUE_KEY, type TaskContext } from '../core/task-context';
import { NonRetryableTaskError } from '../core/task-errors';
import { templateDates } from '../core/template-dates';
import type { SecretProvider } from '../ports/secret-provider';
import type { TaskLog } from '../ports/task-log';
import type { XComStore } from '../ports/xcom-store';

/** Builds the context a task function receives (Airflow's template context, typed). */
export function buildContext(args: {
  dag: DagSpec;
  run: DagRunRecord;
  key: TaskInstanceKey;
  tryNumber: number;
  params: Record<string, JsonValue>;
  log: TaskLog;
  signal: AbortSignal;
  /** `masker`: the attempt's secret masker; what the task reads through the context is added to it. */
  deps: { xcom: XComStore; secrets?: SecretProvider; masker?: SecretMasker };
}): TaskContext {
  const { secrets, masker } = args.deps;
  const { run, key, log } = args;
  const dates = templateDates(run.logicalDate);
  const fields = (f?: Record<string, unknown>) => (f ? ` ${JSON.stringify(f)}` : '');
  return {
    dagId: key.dagId,
    taskId: key.taskId,
    runId: key.runId,
    mapIndex: key.mapIndex,
    tryNumber: args.tryNumber,
    logicalDate: run.logicalDate,
    dataIntervalStart: run.dataIntervalStart,
    dataIntervalEnd: run.dataIntervalEnd,
    ds: dates.ds,
    dsNodash: dates.dsNodash,
    ts: dates.ts,
    params: args.params,
    conf: run.conf,
    log: {
      info: (m, f) => log.write('info', m + fields(f)),
      warn: (m, f) => log.write('warn', m + fields(f)),
      error: (m, f) => log.write('error', m + fields(f)),
    },
    xcomPull: (taskId, xcomKey = RETURN_VALUE_KEY) =>
      args.deps.xcom.pull({ ...key, taskId, mapIndex: -1 }, xcomKey),
    connection: async (id) => {
      const found = await secrets?.connection(id);
      if (found) masker?.addConnection(found);
      if (!found) {
        throw new NonRetryableTaskError(
          `connection "${id}" not found: create the secret updraft/connections/${id} (or UPDRAFT_CONN_${secretEnvName(id)} locally)`,
        );
      }
      return found;
    },
    variable: async (name, fallback) => {
      const value = await secrets?.variable(name);
      if (value !== undefined) {
        masker?.addVariable(name, value);
        return value;
      }
      if (fallback !== undefined) return fallback;
      throw new NonRetryableTaskError(
        `variable "${name}" not found: create the secret updraft/variables/${name} (or UPDRAFT_VAR_${secretEnvName(name)} locally)`,
      );
    },
    mask: (value) => masker?.add(value),
    signal: args.signal,
  };
}
