import type { DagSpec, ScheduleSpec, TaskSpec } from '../../core/model';
import type { DagRunRecord, DagStateRecord, TaskEnvironment, TaskInstanceRecord } from '../../core/records';
import { airflowIsoFormat } from '../../core/run-id';

/** ISO with `+00:00` as Airflow prints datetimes, or null. */
export const isoOrNull = (iso: string | undefined): string | null => (iso ? airflowIsoFormat(iso) : null);

/** Airflow's `schedule_interval` object for a schedule. */
export function scheduleInterval(schedule: ScheduleSpec): Record<string, string> | null {
  switch (schedule.kind) {
    case 'none':
      return null;
    case 'once':
      return { __type: 'CronExpression', value: '@once' };
    case 'cron':
    case 'cron_trigger':
      return { __type: 'CronExpression', value: schedule.expression };
    case 'delta':
      return { __type: 'TimeDelta', value: schedule.duration };
  }
}

/** A DAG as Airflow's `DAG` schema, plus Updraft's `bundle_version`. */
export function dagJson(dag: DagSpec, state: DagStateRecord | undefined, bundleVersion: string) {
  return {
    dag_id: dag.dagId,
    root_dag_id: null,
    is_paused: state?.isPaused ?? dag.isPausedUponCreation,
    is_active: true,
    is_subdag: false,
    fileloc: dag.fileloc,
    file_token: bundleVersion,
    owners: [...new Set([dag.owner, ...dag.tasks.map((t) => t.owner)])],
    description: dag.description ?? null,
    schedule_interval: scheduleInterval(dag.schedule),
    timetable_description: timetableDescription(dag),
    tags: dag.tags.map((name) => ({ name })),
    max_active_tasks: dag.maxActiveTasks,
    max_active_runs: dag.maxActiveRuns,
    has_task_concurrency_limits: false,
    has_import_errors: false,
    next_dagrun_data_interval_start: null,
    next_dagrun_data_interval_end: state?.lastAutomatedDataInterval
      ? isoOrNull(state.lastAutomatedDataInterval.end)
      : null,
    bundle_version: bundleVersion,
  };
}

function timetableDescription(dag: DagSpec): string {
  const s = dag.schedule;
  if (s.kind === 'none') return 'Never, external triggers only';
  if (s.kind === 'once') return 'Once, as soon as possible';
  if (s.kind === 'delta') return `Every ${s.duration}`;
  return `${s.kind === 'cron_trigger' ? 'Cron trigger' : 'Cron'} ${s.expression} (${dag.timezone})`;
}

/** A DAG's details (Airflow's `DAGDetail`), with its tasks and params. */
export function dagDetailJson(dag: DagSpec, state: DagStateRecord | undefined, bundleVersion: string) {
  return {
    ...dagJson(dag, state, bundleVersion),
    timezone: dag.timezone,
    catchup: dag.catchup,
    start_date: isoOrNull(dag.startDate),
    end_date: isoOrNull(dag.endDate),
    dag_run_timeout:
      dag.dagrunTimeoutSeconds === undefined
        ? null
        : { __type: 'TimeDelta', seconds: dag.dagrunTimeoutSeconds },
    doc_md: dag.doc ?? null,
    is_paused_upon_creation: dag.isPausedUponCreation,
    params: Object.fromEntries(
      Object.entries(dag.params).map(([name, spec]) => [
        name,
        {
          __class: 'airflow.models.param.Param',
          value: spec.default ?? null,
          description: spec.description ?? null,
          schema: spec,
        },
      ]),
    ),
    tasks: dag.tasks.map(taskJson),
  };
}

/** A task as Airflow's `Task` schema (the parts Updraft has). */
export function taskJson(task: TaskSpec) {
  return {
    task_id: task.taskId,
    operator_name: task.operator.kind,
    owner: task.owner,
    trigger_rule: task.triggerRule,
    retries: task.retries,
    retry_delay: { __type: 'TimeDelta', seconds: task.retryDelaySeconds },
    retry_exponential_backoff: task.retryExponentialBackoff,
    depends_on_past: task.dependsOnPast,
    pool: task.pool,
    pool_slots: task.poolSlots,
    priority_weight: task.priorityWeight,
    execution_timeout:
      task.executionTimeoutSeconds === undefined
        ? null
        : { __type: 'TimeDelta', seconds: task.executionTimeoutSeconds },
    downstream_task_ids: [] as string[],
    upstream_task_ids: task.upstream,
    is_mapped: task.mapped !== undefined,
    executor: task.executor,
    memory_mib: task.memoryMiB,
    doc_md: task.doc ?? null,
  };
}

/** A run as Airflow's `DAGRun` schema, plus `bundle_version` and `reason`. */
export function dagRunJson(run: DagRunRecord) {
  return {
    dag_run_id: run.runId,
    dag_id: run.dagId,
    logical_date: isoOrNull(run.logicalDate),
    execution_date: isoOrNull(run.logicalDate),
    start_date: isoOrNull(run.startDate),
    end_date: isoOrNull(run.endDate),
    data_interval_start: isoOrNull(run.dataIntervalStart),
    data_interval_end: isoOrNull(run.dataIntervalEnd),
    last_scheduling_decision: null,
    run_type: run.runType,
    state: run.state,
    external_trigger: run.externalTrigger,
    conf: run.conf,
    note: run.note ?? null,
    bundle_version: run.bundleVersion,
    reason: run.reason ?? null,
  };
}

/** A task instance as Airflow's `TaskInstance` schema, plus Updraft's `reason`. */
export function taskInstanceJson(ti: TaskInstanceRecord, run: DagRunRecord, task: TaskSpec | undefined) {
  const start = ti.startDate ? Date.parse(ti.startDate) : undefined;
  const end = ti.endDate ? Date.parse(ti.endDate) : undefined;
  return {
    task_id: ti.taskId,
    dag_id: ti.dagId,
    dag_run_id: ti.runId,
    execution_date: isoOrNull(run.logicalDate),
    start_date: isoOrNull(ti.startDate),
    end_date: isoOrNull(ti.endDate),
    duration: start !== undefined && end !== undefined ? (end - start) / 1000 : null,
    state: ti.state === 'none' ? null : ti.state,
    try_number: ti.tryNumber,
    map_index: ti.mapIndex,
    max_tries: task?.retries ?? null,
    pool: task?.pool ?? null,
    pool_slots: task?.poolSlots ?? null,
    priority_weight: task?.priorityWeight ?? null,
    operator: task?.operator.kind ?? null,
    queued_when: isoOrNull(ti.queuedAt),
    executor: task?.executor ?? null,
    executor_config: '{}',
    note: null,
    // Airflow's TaskInstance `rendered_fields` ("Rendered Template"), secrets already masked.
    rendered_fields: ti.renderedFields ?? {},
    reason: ti.reason ?? null,
    // Updraft: where the latest attempt ran ("it worked yesterday": which bundle, environment, image, memory).
    environment: ti.environment ? environmentJson(ti.environment) : null,
  };
}

/** A task instance's environment record in the API's snake_case; absent details are null. */
function environmentJson(env: TaskEnvironment) {
  return {
    runtime: env.runtime,
    bundle_version: env.bundleVersion,
    memory_mib: env.memoryMiB,
    name: env.name ?? null,
    hash: env.hash ?? null,
    image: env.image ?? null,
    image_digest: env.imageDigest ?? null,
    function_name: env.functionName ?? null,
    function_version: env.functionVersion ?? null,
    task_arn: env.taskArn ?? null,
    peak_memory_mib: env.peakMemoryMiB ?? null,
  };
}
