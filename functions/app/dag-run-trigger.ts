import type { BundleStore } from '../ports/bundle-store';
import type { Clock } from '../ports/clock';
import type { DagRunTrigger } from '../ports/dag-run-trigger';
import { RunAlreadyExistsError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';
import { triggerDagRun } from './trigger-dag-run';

/**
 * The DAG-run trigger operators use: the API's trigger use case (same params validation, same
 * duplicate refusal as its 409), then a kick so the run starts now rather than at the next tick.
 */
export function createDagRunTrigger(deps: {
  store: RunStore;
  bundles: BundleStore;
  clock: Clock;
  /** Asks the scheduler for a tick; without it the run starts at the next regular tick. */
  kick?: () => Promise<void>;
}): DagRunTrigger {
  return {
    async trigger(request) {
      try {
        const result = await triggerDagRun(deps, {
          dagId: request.dagId,
          conf: request.conf,
          ...(request.runId !== undefined && { runId: request.runId }),
          ...(request.logicalDate !== undefined && { logicalDate: request.logicalDate }),
        });
        if (!result.ok) return { ok: false, reason: result.message };
        await deps.kick?.();
        return { ok: true, runId: result.run.runId, logicalDate: result.run.logicalDate };
      } catch (error) {
        if (!(error instanceof RunAlreadyExistsError)) throw error;
        return {
          ok: false,
          reason: `${error.message} (same run id or logical date); give another triggerRunId or logicalDate`,
        };
      }
    },
    async runState(dagId, runId) {
      return (await deps.store.getRun(dagId, runId))?.state;
    },
  };
}
