/** What a run of another DAG looks like at one logical date, for ExternalTaskSensor. */
export type ExternalRunState =
  | { found: false }
  /** `states`: the run's state, or the states of the task's instances (one per map index; `none` when not created yet). */
  | { found: true; runId: string; states: string[] };

/** Port: reads runs of other DAGs by logical date (Airflow's ExternalTaskSensor queries). */
export interface RunLookup {
  /** The run of `dagId` at exactly `logicalDate` and its state, or the states of its task `taskId`. */
  stateAt(dagId: string, logicalDate: string, taskId?: string): Promise<ExternalRunState>;
}
