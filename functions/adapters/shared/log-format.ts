import type { TaskInstanceKey } from '../../core/records';
import type { TaskLog } from '../../ports/task-log';

/** A log level as `TaskLog.write` takes it. */
export type LogLevel = Parameters<TaskLog['write']>[0];

const LEVEL_NAMES: Record<LogLevel, string> = { info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/**
 * Airflow's log path of one attempt (its default `log_filename_template`):
 * `dag_id=<d>/run_id=<r>/task_id=<t>[/map_index=<i>]/attempt=<n>.log`; `map_index` only for mapped tasks.
 */
export function taskLogPath(key: TaskInstanceKey, tryNumber: number): string {
  const mapIndex = key.mapIndex >= 0 ? `/map_index=${key.mapIndex}` : '';
  return `dag_id=${key.dagId}/run_id=${key.runId}/task_id=${key.taskId}${mapIndex}/attempt=${tryNumber}.log`;
}

/** One log line as both log sinks store it: `[<ISO time>] LEVEL - message` (levels use Python's names). */
export function formatLogLine(time: string, level: LogLevel, message: string): string {
  return `[${time}] ${LEVEL_NAMES[level]} - ${message}`;
}

/** The error for a write after `close()`: the line would be lost silently otherwise. */
export class TaskLogClosedError extends Error {
  override readonly name = 'TaskLogClosedError';
  constructor(
    readonly path: string,
    line: string,
  ) {
    super(
      `task log ${path} is closed; this line came after close() and is not stored: ${line.slice(0, 200)}`,
    );
  }
}
