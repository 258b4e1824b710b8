import { schedulerTick, type TickDeps, type TickReport } from '../../app/scheduler-tick';
import { logJson } from '../log';

/** Handler of the EventBridge tick (and of kicks): one scheduler tick, its report logged and returned. */
export function createSchedulerHandler(deps: TickDeps): (event: unknown) => Promise<TickReport> {
  return async () => {
    const started = Date.now();
    const report = await schedulerTick(deps);
    logJson('info', 'scheduler tick', { ...report, durationMs: Date.now() - started });
    return report;
  };
}
