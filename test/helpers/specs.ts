import type { DagSpec, TaskSpec } from '../../functions/core/model';

/** A serialized task with Updraft's defaults (as `dag.toSpec` writes them), for tests that skip the SDK. */
export function taskSpec(taskId: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    taskId,
    operator: { kind: 'function' },
    upstream: [],
    inputs: [],
    triggerRule: 'all_success',
    retries: 0,
    retryDelaySeconds: 300,
    retryExponentialBackoff: false,
    dependsOnPast: false,
    pool: 'default_pool',
    poolSlots: 1,
    priorityWeight: 1,
    executor: 'lambda',
    memoryMiB: 1024,
    owner: 'updraft',
    ...overrides,
  };
}

/** A serialized manual DAG with Updraft's defaults and one `extract` task unless `tasks` is given. */
export function dagSpec(dagId: string, overrides: Partial<DagSpec> = {}): DagSpec {
  return {
    dagId,
    owner: 'updraft',
    tags: [],
    schedule: { kind: 'none' },
    timezone: 'UTC',
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    isPausedUponCreation: false,
    params: {},
    tasks: [taskSpec('extract')],
    fileloc: `${dagId}.dag.ts`,
    module: `code/${dagId}.dag.mjs`,
    ...overrides,
  };
}
