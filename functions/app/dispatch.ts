import type { Command } from '../core/planner/commands';
import type { RunStore } from '../ports/run-store';
import type { TaskQueue } from '../ports/task-queue';
import { type ApplyReport, applyCommands } from './apply-commands';

/**
 * Applies commands, then sends the messages of the instances they queued. State is written
 * before the send: if the send fails, the instances stay `queued` and the tick re-sends them.
 */
export async function applyAndDispatch(
  deps: { store: RunStore; queue: TaskQueue },
  commands: readonly Command[],
  now: string,
): Promise<ApplyReport> {
  const report = await applyCommands(deps.store, commands, now);
  if (report.dispatch.length > 0) {
    await deps.queue.send(report.dispatch.map((d) => ({ ...d.key, tryNumber: d.tryNumber })));
  }
  return report;
}
