import type { DagRunRecord, DagStateRecord, TaskInstanceKey, TaskInstanceRecord } from '../core/records';
import type { DagRunState, TaskState } from '../core/states';
import type { DataInterval } from '../core/timetables/types';
import type { PoolStore } from './pool-store';

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
  /** When set, also the sensor poke count (a missing count is 0): claims of a due poke pin it. */
  pokeCount?: number;
}

/**
 * Run state (DAG runs, task instances and pools). Every write is a single-item conditional write;
 * a lost condition throws StaleTransitionError, a duplicate run RunAlreadyExistsError.
 */
export interface RunStore extends PoolStore {
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
  /** Refreshes `heartbeatAt` of a running attempt; StaleTransitionError once it is no longer running at that try. */
  heartbeat(key: TaskInstanceKey, tryNumber: number, at: string): Promise<void>;

  /** Every queued or running run of every DAG, without a Scan (sparse index of active runs). */
  listActiveRuns(): Promise<DagRunRecord[]>;
  /** The run of `dagId` with the latest logical date before `logicalDate` (depends_on_past). */
  previousRun(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined>;

  /** Scheduler state of these DAGs; ids without an item are missing from the map. */
  getDagStates(dagIds: readonly string[]): Promise<Map<string, DagStateRecord>>;
  /** Registers a DAG seen for the first time; false when it exists already. */
  putDagStateIfAbsent(state: DagStateRecord): Promise<boolean>;
  /**
   * Moves the DAG's scheduling cursor from `expected` (undefined: never scheduled) to `next`;
   * StaleTransitionError when another tick moved it first, so two ticks never create a run twice.
   */
  advanceDagCursor(dagId: string, expected: DataInterval | undefined, next: DataInterval): Promise<void>;
  /** Pauses or unpauses a DAG (creating its item if needed). */
  setDagPaused(dagId: string, isPaused: boolean): Promise<void>;

  /** Runs of one DAG, newest logical date first (or oldest with order 'asc'), optionally only in some states; paginated. */
  listRuns(
    dagId: string,
    options?: { states?: readonly DagRunState[]; order?: 'asc' | 'desc'; limit?: number; offset?: number },
  ): Promise<{ runs: DagRunRecord[]; total: number }>;
  /** Deletes a run with its logical-date marker, task instances and XCom items (not blobs); false when it did not exist. */
  deleteRun(dagId: string, runId: string): Promise<boolean>;
  /** Every DAG item (paused flags and cursors) — few items, one partition-free Query via a sparse index or a small GSI; no Scan. */
  listDagStates(): Promise<DagStateRecord[]>;
}

/** Defaults of `listRuns` options (Airflow's page size): the 100 newest runs, in every state. */
export const LIST_RUNS_DEFAULTS = { limit: 100, offset: 0, order: 'desc' } as const;

/** `listRuns` options with defaults applied; an empty `states` list means every state (as in Airflow). */
export interface ResolvedListRunsOptions {
  states: readonly DagRunState[];
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Applies the defaults and rejects a negative or fractional limit or offset with a RangeError naming it. */
export function resolveListRunsOptions(
  options: Parameters<RunStore['listRuns']>[1] = {},
): ResolvedListRunsOptions {
  const { limit = LIST_RUNS_DEFAULTS.limit, offset = LIST_RUNS_DEFAULTS.offset } = options;
  for (const [name, value] of [
    ['limit', limit],
    ['offset', offset],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`listRuns ${name} must be an integer ≥ 0, got ${value}`);
    }
  }
  const order = options.order ?? LIST_RUNS_DEFAULTS.order;
  if (order !== 'asc' && order !== 'desc') {
    throw new RangeError(`listRuns order must be "asc" or "desc", got ${JSON.stringify(order)}`);
  }
  return { states: [...new Set(options.states ?? [])], order, limit, offset };
}
