import { schedulerTick, type TickDeps, type TickReport } from '../../app/scheduler-tick';
import { logJson } from '../log';

/**
 * Handler of every event that wakes the scheduler: the EventBridge rate rule, API kicks, and ECS
 * task state changes (a container task stopped, so its downstream may be ready). Each runs one
 * tick, whose report is logged with what triggered it and returned.
 */
export function createSchedulerHandler(deps: TickDeps): (event: unknown) => Promise<TickReport> {
  return async (event) => {
    const started = Date.now();
    const report = await schedulerTick(deps);
    logJson('info', 'scheduler tick', {
      trigger: triggerOf(event),
      ...report,
      durationMs: Date.now() - started,
    });
    return report;
  };
}

/** `aws.events` (rate rule), `aws.ecs` (task state change), `updraft.kick` (the API), else `unknown`. */
function triggerOf(event: unknown): string {
  const source = (event as { source?: unknown } | null)?.source;
  return typeof source === 'string' ? source : 'unknown';
}
