import { parseTaskStateChangeEvent } from '../../adapters/aws/ecs/stopped-task';
import {
  type ContainerCompletionDeps,
  checkRunningContainers,
  completeContainer,
} from '../../app/complete-container';
import { schedulerTick, type TickDeps, type TickReport } from '../../app/scheduler-tick';
import { errorFields, logJson } from '../log';

/** Ending container attempts: the ports, and the container name the stack gave every task definition. */
export interface ContainerEvents {
  deps: ContainerCompletionDeps;
  containerName: string;
}

/**
 * Handler of every event that wakes the scheduler: the EventBridge rate rule, API kicks, and ECS
 * task state changes. A stopped container task first ends its attempt; the rate rule first asks
 * ECS about running container attempts (a lost event never strands a task). Then one tick runs
 * (a finished container may have made its downstream ready), logged with what triggered it.
 */
export function createSchedulerHandler(
  deps: TickDeps,
  containers?: ContainerEvents,
): (event: unknown) => Promise<TickReport> {
  return async (event) => {
    const started = Date.now();
    const trigger = triggerOf(event);
    // Ending containers never keeps the tick from running: every other DAG depends on it.
    const ended = containers
      ? await endContainers(containers, event, trigger).catch((error: unknown) => {
          logJson('error', 'ending container attempts failed', errorFields(error));
          return 0;
        })
      : undefined;
    const report = await schedulerTick(deps);
    logJson('info', 'scheduler tick', {
      trigger,
      ...(ended !== undefined && { containersEnded: ended }),
      ...report,
      durationMs: Date.now() - started,
    });
    return report;
  };
}

/** Ends the attempt of a stopped ECS task, or on a rate tick those DescribeTasks finds stopped. */
async function endContainers(containers: ContainerEvents, event: unknown, trigger: string): Promise<number> {
  if (trigger === 'aws.ecs') {
    const stopped = parseTaskStateChangeEvent(event, containers.containerName);
    if (!stopped) return 0;
    const summary = await completeContainer(containers.deps, stopped);
    if (summary.kind === 'dropped') logJson('info', 'container event dropped', { reason: summary.reason });
    return summary.kind === 'ran' ? 1 : 0;
  }
  if (trigger !== 'aws.events') return 0;
  return checkRunningContainers(containers.deps);
}

/** `aws.events` (rate rule), `aws.ecs` (task state change), `updraft.kick` (the API), else `unknown`. */
function triggerOf(event: unknown): string {
  const source = (event as { source?: unknown } | null)?.source;
  return typeof source === 'string' ? source : 'unknown';
}
