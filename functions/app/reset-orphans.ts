import { TaskState } from '../core/states';
import { StaleTransitionError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';

/**
 * Airflow's `adopt_or_reset_orphaned_tasks` for a single-process orchestrator that just started:
 * every queued or running instance of an active run was owned by the process that died, so it
 * goes back to `none` (keeping its try number) and the scheduler runs it again as the next try.
 * Returns how many were reset. Never call this while workers of another process are alive.
 */
export async function resetOrphans(deps: { store: RunStore; clock: { now(): string } }): Promise<number> {
  let reset = 0;
  for (const run of await deps.store.listActiveRuns()) {
    for (const ti of await deps.store.listTaskInstances(run.dagId, run.runId)) {
      if (ti.state !== TaskState.Queued && ti.state !== TaskState.Running) continue;
      try {
        await deps.store.updateTaskInstance(
          ti,
          { state: ti.state, tryNumber: ti.tryNumber },
          {
            state: TaskState.None,
            reason: `reset after a restart: attempt ${ti.tryNumber} was ${ti.state} when the process stopped`,
          },
        );
        reset++;
      } catch (error) {
        if (!(error instanceof StaleTransitionError)) throw error;
      }
    }
  }
  return reset;
}
