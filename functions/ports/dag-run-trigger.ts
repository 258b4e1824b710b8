import type { JsonValue } from '../core/model';
import type { DagRunState } from '../core/states';

/** A run another task asks for (Airflow's TriggerDagRunOperator arguments). */
export interface DagRunRequest {
  dagId: string;
  conf: Record<string, JsonValue>;
  /** ISO instant; the trigger time when absent. */
  logicalDate?: string;
  /** Generated from the logical date when absent. */
  runId?: string;
}

/** A created run, or why none was created (unknown DAG, invalid conf, duplicate run). */
export type DagRunTriggerResult =
  | { ok: true; runId: string; logicalDate: string }
  | { ok: false; reason: string };

/** Port: creates runs of other DAGs and reads their state, for operators that orchestrate DAGs. */
export interface DagRunTrigger {
  trigger(request: DagRunRequest): Promise<DagRunTriggerResult>;
  /** The run's state, or undefined when it does not exist (deleted). */
  runState(dagId: string, runId: string): Promise<DagRunState | undefined>;
}
