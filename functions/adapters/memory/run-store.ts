import type { PoolRecord } from '../../core/pools';
import {
  type DagRunRecord,
  type DagStateRecord,
  formatKey,
  keyOf,
  type TaskInstanceKey,
  type TaskInstanceRecord,
} from '../../core/records';
import type { DagRunState } from '../../core/states';
import type { DataInterval } from '../../core/timetables/types';
import { RunAlreadyExistsError, StaleTransitionError } from '../../ports/errors';
import type { PoolWriteMode } from '../../ports/pool-store';
import {
  type InstanceExpectation,
  type RunStore,
  resolveListRunsOptions,
  type TaskInstancePatch,
} from '../../ports/run-store';
import { MemoryPoolStore } from './pool-store';
import type { MemoryXComStore } from './xcom-store';

/** Options of MemoryRunStore. */
export interface MemoryRunStoreOptions {
  /** The XCom store whose values `deleteRun` drops with the run (DynamoDB keeps both in one table). */
  xcoms?: MemoryXComStore;
}

/**
 * RunStore in process memory with the same conditional semantics as the DynamoDB adapter, for
 * `updraft dags test` and unit tests. Records are copied in and out so callers cannot alias state.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, DagRunRecord>();
  private readonly instances = new Map<string, TaskInstanceRecord>();
  private readonly dags = new Map<string, DagStateRecord>();
  private readonly pools = new MemoryPoolStore();

  constructor(private readonly options: MemoryRunStoreOptions = {}) {}

  async createRun(run: DagRunRecord): Promise<void> {
    const id = `${run.dagId}/${run.runId}`;
    const sameDate = [...this.runs.values()].some(
      (r) => r.dagId === run.dagId && r.logicalDate === run.logicalDate,
    );
    if (this.runs.has(id) || sameDate) throw new RunAlreadyExistsError(run.dagId, run.runId);
    this.runs.set(id, structuredClone(run));
  }

  async getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    const run = this.runs.get(`${dagId}/${runId}`);
    return run && structuredClone(run);
  }

  async updateRun(
    dagId: string,
    runId: string,
    expected: DagRunState,
    patch: Partial<DagRunRecord>,
  ): Promise<DagRunRecord> {
    const run = this.runs.get(`${dagId}/${runId}`);
    if (!run || run.state !== expected) {
      throw new StaleTransitionError(
        `run ${dagId}/${runId} is ${run?.state ?? 'missing'}, expected ${expected}`,
        {
          dagId,
          runId,
          expected,
        },
      );
    }
    const updated = { ...run, ...defined(patch) };
    this.runs.set(`${dagId}/${runId}`, updated);
    return structuredClone(updated);
  }

  async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    return [...this.instances.values()]
      .filter((ti) => ti.dagId === dagId && ti.runId === runId)
      .map((ti) => structuredClone(ti));
  }

  async getTaskInstance(key: TaskInstanceKey): Promise<TaskInstanceRecord | undefined> {
    const ti = this.instances.get(formatKey(key));
    return ti && structuredClone(ti);
  }

  async updateTaskInstance(
    key: TaskInstanceKey,
    expected: InstanceExpectation,
    patch: TaskInstancePatch,
  ): Promise<TaskInstanceRecord> {
    const id = formatKey(key);
    const current = this.instances.get(id);
    const pokes = expected.pokeCount;
    const matches = current
      ? current.state === expected.state &&
        current.tryNumber === expected.tryNumber &&
        (pokes === undefined || (current.pokeCount ?? 0) === pokes)
      : expected.state === 'none' && expected.tryNumber === 0 && !pokes;
    if (!matches) {
      const wanted = pokes === undefined ? '' : `, ${pokes} pokes`;
      const had = pokes === undefined ? '' : `, ${current?.pokeCount ?? 0} pokes`;
      const found = current ? `${current.state} (try ${current.tryNumber}${had})` : 'absent';
      throw new StaleTransitionError(
        `task instance ${id} is ${found}, expected ${expected.state} (try ${expected.tryNumber}${wanted})`,
        {
          key: id,
        },
      );
    }
    const base: TaskInstanceRecord = current ?? { ...keyOf(key), state: 'none', tryNumber: 0 };
    const updated = { ...base, ...defined(patch) };
    this.instances.set(id, updated);
    return structuredClone(updated);
  }

  async heartbeat(key: TaskInstanceKey, tryNumber: number, at: string): Promise<void> {
    await this.updateTaskInstance(
      key,
      { state: 'running', tryNumber },
      { state: 'running', heartbeatAt: at },
    );
  }

  async listActiveRuns(): Promise<DagRunRecord[]> {
    return [...this.runs.values()]
      .filter((r) => r.state === 'queued' || r.state === 'running')
      .map((r) => structuredClone(r));
  }

  async previousRun(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    const before = [...this.runs.values()]
      .filter((r) => r.dagId === dagId && r.logicalDate < logicalDate)
      .sort((a, b) => b.logicalDate.localeCompare(a.logicalDate));
    return before[0] && structuredClone(before[0]);
  }

  async getDagStates(dagIds: readonly string[]): Promise<Map<string, DagStateRecord>> {
    const found = dagIds.flatMap((id) => {
      const state = this.dags.get(id);
      return state ? [[id, structuredClone(state)] as const] : [];
    });
    return new Map(found);
  }

  async putDagStateIfAbsent(state: DagStateRecord): Promise<boolean> {
    if (this.dags.has(state.dagId)) return false;
    this.dags.set(state.dagId, structuredClone(state));
    return true;
  }

  async advanceDagCursor(
    dagId: string,
    expected: DataInterval | undefined,
    next: DataInterval,
  ): Promise<void> {
    const current = this.dags.get(dagId);
    const cursor = current?.lastAutomatedDataInterval;
    const same = cursor?.start === expected?.start && cursor?.end === expected?.end;
    if (!same) {
      throw new StaleTransitionError(
        `DAG ${dagId} cursor moved: ${cursor?.end ?? 'none'}, expected ${expected?.end ?? 'none'}`,
        {
          dagId,
        },
      );
    }
    this.dags.set(dagId, {
      ...(current ?? { dagId, isPaused: false }),
      lastAutomatedDataInterval: { ...next },
    });
  }

  async setDagPaused(dagId: string, isPaused: boolean): Promise<void> {
    this.dags.set(dagId, { ...(this.dags.get(dagId) ?? { dagId }), isPaused });
  }

  async listRuns(
    dagId: string,
    options?: Parameters<RunStore['listRuns']>[1],
  ): Promise<{ runs: DagRunRecord[]; total: number }> {
    const { states, order, limit, offset } = resolveListRunsOptions(options);
    const sign = order === 'asc' ? 1 : -1;
    const matching = [...this.runs.values()]
      .filter((r) => r.dagId === dagId && (states.length === 0 || states.includes(r.state)))
      // Logical dates are unique per DAG and ISO text, so `<` is the index's byte order.
      .sort((a, b) => sign * (a.logicalDate < b.logicalDate ? -1 : 1));
    const runs = matching.slice(offset, offset + limit).map((r) => structuredClone(r));
    return { runs, total: matching.length };
  }

  async deleteRun(dagId: string, runId: string): Promise<boolean> {
    // Like the DynamoDB store, task instances and XComs go even when the run item is missing.
    for (const [id, ti] of this.instances) {
      if (ti.dagId === dagId && ti.runId === runId) this.instances.delete(id);
    }
    this.options.xcoms?.deleteRun(dagId, runId);
    return this.runs.delete(`${dagId}/${runId}`);
  }

  async listDagStates(): Promise<DagStateRecord[]> {
    return [...this.dags.values()]
      .sort((a, b) => (a.dagId < b.dagId ? -1 : 1))
      .map((s) => structuredClone(s));
  }

  async getPool(name: string): Promise<PoolRecord | undefined> {
    return this.pools.getPool(name);
  }

  async listPools(): Promise<PoolRecord[]> {
    return this.pools.listPools();
  }

  async putPool(pool: PoolRecord, mode: PoolWriteMode): Promise<PoolRecord> {
    return this.pools.putPool(pool, mode);
  }

  async deletePool(name: string): Promise<boolean> {
    return this.pools.deletePool(name);
  }
}

/** The fields a patch sets: undefined means "leave as is", as in the DynamoDB adapter. */
function defined<T extends object>(patch: T): Partial<T> {
  return structuredClone(
    Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  ) as Partial<T>;
}
