import { TaskState } from '../core/states';
import type { RunLookup } from '../ports/run-lookup';
import type { RunStore } from '../ports/run-store';

/**
 * Runs of other DAGs by logical date, over the RunStore. There is no "run at logical date" read;
 * `previousRun` (the latest run strictly before a date, on the logical-date index) asked for one
 * millisecond later finds the run at exactly that date, if any: one Query, no new store method.
 * The index is eventually consistent, which a sensor tolerates: the next poke sees a new run.
 */
export function createRunLookup(store: RunStore): RunLookup {
  return {
    async stateAt(dagId, logicalDate, taskId) {
      const at = Date.parse(logicalDate);
      if (Number.isNaN(at))
        throw new Error(`external logical date ${JSON.stringify(logicalDate)} is not an ISO instant`);
      const run = await store.previousRun(dagId, new Date(at + 1).toISOString());
      if (!run || Date.parse(run.logicalDate) !== at) return { found: false };
      if (taskId === undefined) return { found: true, runId: run.runId, states: [run.state] };
      const instances = (await store.listTaskInstances(dagId, run.runId)).filter(
        (ti) => ti.taskId === taskId,
      );
      // A task without an instance yet is Airflow's None.
      const states = instances.length > 0 ? instances.map((ti) => ti.state) : [TaskState.None];
      return { found: true, runId: run.runId, states };
    },
  };
}
