import type { Command } from '../core/planner/commands';
import type { Metrics } from '../ports/metrics';
import type { RunStore } from '../ports/run-store';
import type { TaskQueue } from '../ports/task-queue';
import { type ApplyReport, applyCommands } from './apply-commands';

/**
 * Applies commands, then sends the messages of the instances they queued. State is written
 * before the send: if the send fails, the instances stay `queued` and the tick re-sends them.
 */
export async function applyAndDispatch(
  deps: { store: RunStore; queue: TaskQueue; metrics?: Metrics },
  commands: readonly Command[],
  now: string,
): Promise<ApplyReport> {
  const report = await applyCommands(deps.store, commands, now);
  if (deps.metrics) emitAppliedMetrics(deps.metrics, report.applied);
  if (report.dispatch.length > 0) {
    await deps.queue.send(
      report.dispatch.map((d) => ({ ...d.key, tryNumber: d.tryNumber, memoryMiB: d.memoryMiB })),
    );
  }
  return report;
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
