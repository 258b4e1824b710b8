import type { DagSpec, JsonValue } from '../core/model';
import type { DagRunRecord, TaskInstanceKey } from '../core/records';
import { RETURN_VALUE_KEY, type TaskContext } from '../core/task-context';
import { templateDates } from '../core/template-dates';
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
  deps: { xcom: XComStore };
}): TaskContext {
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
    signal: args.signal,
  };
}
