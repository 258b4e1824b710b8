import type { DagRunRecord, TaskInstanceKey, TaskInstanceRecord } from '../core/records';
import type { DagRunState, TaskState } from '../core/states';

/** Fields a task-instance transition writes; `state` always changes or is re-asserted. */
export type TaskInstancePatch = Pick<TaskInstanceRecord, 'state'> &
  Partial<Omit<TaskInstanceRecord, keyof TaskInstanceKey>>;

/**
 * What a task-instance write expects to find: a state at a try number. `none` at try 0 also
 * matches a missing item, because a missing task instance is Airflow's state None.
 */
export interface InstanceExpectation {
  state: TaskState;
  tryNumber: number;
}

/**
 * Run state (DAG runs and task instances). Every write is a single-item conditional write;
 * a lost condition throws StaleTransitionError, a duplicate run RunAlreadyExistsError.
 */
export interface RunStore {
  createRun(run: DagRunRecord): Promise<void>;
  getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined>;
  /** Updates a run that is in `expected` state. */
  updateRun(
    dagId: string,
    runId: string,
    expected: DagRunState,
    patch: Partial<DagRunRecord>,
  ): Promise<DagRunRecord>;
  listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]>;
  getTaskInstance(key: TaskInstanceKey): Promise<TaskInstanceRecord | undefined>;
  /** Applies `patch` (creating the item if it is missing and `expected` allows) and returns the result. */
  updateTaskInstance(
    key: TaskInstanceKey,
    expected: InstanceExpectation,
    patch: TaskInstancePatch,
  ): Promise<TaskInstanceRecord>;
}
