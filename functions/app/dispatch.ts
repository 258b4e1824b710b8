import type { Command } from '../core/planner/commands';
import type { ContainerStopper } from '../ports/container-runner';
import type { Metrics } from '../ports/metrics';
import type { RunStore } from '../ports/run-store';
import type { TaskQueue } from '../ports/task-queue';
import { type ApplyReport, applyCommands } from './apply-commands';

/**
 * Applies commands, then sends the messages of the instances they queued. State is written
 * before the send: if the send fails, the instances stay `queued` and the tick re-sends them.
 */
export async function applyAndDispatch(
  deps: { store: RunStore; queue: TaskQueue; metrics?: Metrics; containerStopper?: ContainerStopper },
  commands: readonly Command[],
  now: string,
): Promise<ApplyReport> {
  const report = await applyCommands(deps.store, commands, now);
  if (deps.metrics) emitAppliedMetrics(deps.metrics, report.applied);
  await stopExternalJobs(deps.containerStopper, report.applied);
  if (report.dispatch.length > 0) {
    await deps.queue.send(
      report.dispatch.map((d) => ({ ...d.key, tryNumber: d.tryNumber, memoryMiB: d.memoryMiB })),
    );
  }
  return report;
}

/**
 * Stops the ECS tasks of container attempts the planner failed (execution timeout). Best effort:
 * a task that already stopped, or a failed call, leaves nothing to undo — the attempt is failed.
 */
async function stopExternalJobs(stopper: ContainerStopper | undefined, applied: readonly Command[]) {
  if (!stopper) return;
  for (const command of applied)
    if (command.kind === 'fail_task' && command.stopExternalJob)
      await stopper.stop(command.stopExternalJob, command.reason).catch(() => undefined);
}

/** Runs that finished and attempts the planner ended (zombies, timeouts), as metrics. */
function emitAppliedMetrics(metrics: Metrics, applied: readonly Command[]): void {
  for (const command of applied) {
    if (command.kind === 'finish_run')
      metrics.emit({
        name: 'RunsFinished',
        state: command.state,
        dagId: command.dagId,
        runId: command.runId,
      });
    else if (command.kind === 'record_sla_miss')
      metrics.emit({ name: 'SlaMisses', key: command.key, deadline: command.deadline });
    else if (command.kind === 'fail_task' && command.from === 'running')
      metrics.emit({
        name: 'TaskAttempts',
        outcome: command.outcome,
        key: command.key,
        tryNumber: command.tryNumber,
      });
  }
}
