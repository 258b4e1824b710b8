/** The parts of Airflow's `DAG` schema the CLI reads. */
export interface DagJson {
  dag_id: string;
  is_paused: boolean;
  schedule_interval: { __type: string; value: string } | null;
  timetable_description: string;
  bundle_version: string;
}

/** Airflow's `DAGDetail`: a DAG plus timezone, dates and tasks. */
export interface DagDetailJson extends DagJson {
  timezone: string;
  catchup: boolean;
  start_date: string | null;
  end_date: string | null;
  tasks: { task_id: string; downstream_task_ids: string[]; upstream_task_ids: string[] }[];
}

/** Airflow's `DAGRun`, plus Updraft's `bundle_version` and `reason`. */
export interface DagRunJson {
  dag_run_id: string;
  dag_id: string;
  logical_date: string | null;
  start_date: string | null;
  end_date: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_type: string;
  state: string;
  conf: Record<string, unknown>;
  note: string | null;
  bundle_version: string;
  reason: string | null;
}

/** Airflow's `TaskInstance`, plus Updraft's `reason`; `state` is null before the task ran. */
export interface TaskInstanceJson {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  state: string | null;
  try_number: number;
  map_index: number;
  max_tries: number | null;
  operator: string | null;
  /** Templated fields as rendered for the latest attempt, secrets masked (by field path). */
  rendered_fields?: Record<string, string>;
  reason: string | null;
  /** Where the latest attempt ran (Updraft); null before the first attempt. */
  environment?: TaskEnvironmentJson | null;
}

/** A task instance's environment record as the API returns it. */
export interface TaskEnvironmentJson {
  runtime: string;
  bundle_version: string;
  memory_mib: number;
  name: string | null;
  hash: string | null;
  image: string | null;
  image_digest: string | null;
  function_name: string | null;
  function_version: string | null;
  task_arn: string | null;
  peak_memory_mib: number | null;
}

/** One chunk of a task log and the token to read what follows. */
export interface LogChunkJson {
  content: string;
  continuation_token: string;
}

/** Airflow's `ClearTaskInstances` form, as the CLI sends it. */
export interface ClearBody {
  dry_run: boolean;
  dag_run_id: string;
  task_ids?: string[];
  only_failed: boolean;
  include_downstream: boolean;
  reset_dag_runs: boolean;
}

/** One entry of the clear response (Airflow's `TaskInstanceReference`). */
export interface TaskInstanceReferenceJson {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  execution_date: string | null;
}

/** Airflow's trigger form (`POST /dags/{dag_id}/dagRuns`). */
export interface TriggerBody {
  dag_run_id?: string;
  logical_date?: string;
  data_interval_start?: string;
  data_interval_end?: string;
  conf?: Record<string, unknown>;
  note?: string;
}
