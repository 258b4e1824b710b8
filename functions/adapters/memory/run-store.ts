import {
  type DagRunRecord,
  formatKey,
  keyOf,
  type TaskInstanceKey,
  type TaskInstanceRecord,
} from '../../core/records';
import type { DagRunState } from '../../core/states';
import { RunAlreadyExistsError, StaleTransitionError } from '../../ports/errors';
import type { InstanceExpectation, RunStore, TaskInstancePatch } from '../../ports/run-store';

/**
 * RunStore in process memory with the same conditional semantics as the DynamoDB adapter, for
 * `updraft dags test` and unit tests. Records are copied in and out so callers cannot alias state.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, DagRunRecord>();
  private readonly instances = new Map<string, TaskInstanceRecord>();

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
    const updated = { ...run, ...structuredClone(patch) };
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
    const matches = current
      ? current.state === expected.state && current.tryNumber === expected.tryNumber
      : expected.state === 'none' && expected.tryNumber === 0;
    if (!matches) {
      const found = current ? `${current.state} (try ${current.tryNumber})` : 'absent';
      throw new StaleTransitionError(
        `task instance ${id} is ${found}, expected ${expected.state} (try ${expected.tryNumber})`,
        {
          key: id,
        },
      );
    }
    const base: TaskInstanceRecord = current ?? { ...keyOf(key), state: 'none', tryNumber: 0 };
    const updated = { ...base, ...structuredClone(patch) };
    this.instances.set(id, updated);
    return structuredClone(updated);
  }
}
