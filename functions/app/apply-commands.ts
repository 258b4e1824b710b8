import { assertNever } from '../core/assert-never';
import type { Command } from '../core/planner/commands';
import type { DagRunRecord, TaskInstanceKey } from '../core/records';
import { canTransition, DagRunState, TaskState } from '../core/states';
import { RunAlreadyExistsError, StaleTransitionError } from '../ports/errors';
import type { InstanceExpectation, RunStore } from '../ports/run-store';

/** A task instance the caller must now send to the task queue. */
export interface Dispatch {
  key: TaskInstanceKey;
  tryNumber: number;
  /** Memory the attempt needs, for routing to a worker memory class. */
  memoryMiB: number;
}

/** What applying a plan did. */
export interface ApplyReport {
  applied: Command[];
  /** Commands whose condition failed: another writer got there first (harmless). */
  stale: Command[];
  /** Instances queued (or re-sent) by this apply: send their messages after the writes. */
  dispatch: Dispatch[];
}

/**
 * The one applier: turns planner commands into conditional writes, in order. State is written
 * before any message is sent, so a crash in between leaves a `queued` instance the tick re-sends.
 */
export async function applyCommands(
  store: RunStore,
  commands: readonly Command[],
  now: string,
): Promise<ApplyReport> {
  const report: ApplyReport = { applied: [], stale: [], dispatch: [] };
  for (const command of commands) {
    try {
      await applyOne(store, command, now, report);
      report.applied.push(command);
    } catch (error) {
      if (error instanceof StaleTransitionError || error instanceof RunAlreadyExistsError)
        report.stale.push(command);
      else throw error;
    }
  }
  return report;
}

/** The task-instance state a command writes, for the transition check. */
function targetState(command: Command): TaskState | undefined {
  switch (command.kind) {
    case 'queue_task':
    case 'resend_task':
      return TaskState.Queued;
    case 'skip_task':
      return TaskState.Skipped;
    case 'mark_upstream_failed':
      return TaskState.UpstreamFailed;
    case 'fail_task':
      return command.outcome === 'failed' ? TaskState.Failed : TaskState.UpForRetry;
    default:
      return undefined;
  }
}

async function applyOne(store: RunStore, command: Command, now: string, report: ApplyReport): Promise<void> {
  const to = targetState(command);
  const from = 'from' in command ? command.from : TaskState.Queued;
  if (to !== undefined && !canTransition(from, to)) {
    // A planner bug, not a race: refuse to write a transition Airflow's state machine does not allow.
    throw new Error(`illegal task transition ${from} → ${to} in ${command.kind}: ${command.reason}`);
  }
  switch (command.kind) {
    case 'create_run':
      await store.createRun(scheduledRun(command, now));
      return;
    case 'start_run':
      await store.updateRun(command.dagId, command.runId, DagRunState.Queued, {
        state: DagRunState.Running,
        startDate: now,
      });
      return;
    case 'finish_run':
      await store.updateRun(command.dagId, command.runId, DagRunState.Running, {
        state: command.state,
        endDate: now,
        reason: command.reason,
      });
      return;
    case 'expand_task':
      for (let mapIndex = 0; mapIndex < command.count; mapIndex++) {
        const key = { dagId: command.dagId, runId: command.runId, taskId: command.taskId, mapIndex };
        await store.updateTaskInstance(key, NONE, { state: TaskState.None, reason: command.reason });
      }
      return;
    case 'queue_task': {
      // A reschedule continues the same attempt; every other start is a new try.
      const previousTry =
        command.from === TaskState.UpForReschedule ? command.tryNumber : command.tryNumber - 1;
      const pokes = command.pokeCount;
      await store.updateTaskInstance(
        command.key,
        { state: command.from, tryNumber: previousTry, ...(pokes !== undefined && { pokeCount: pokes }) },
        { state: TaskState.Queued, tryNumber: command.tryNumber, queuedAt: now, reason: command.reason },
      );
      report.dispatch.push({ key: command.key, tryNumber: command.tryNumber, memoryMiB: command.memoryMiB });
      return;
    }
    case 'resend_task':
      await store.updateTaskInstance(
        command.key,
        { state: TaskState.Queued, tryNumber: command.tryNumber },
        { state: TaskState.Queued, queuedAt: now, reason: command.reason },
      );
      report.dispatch.push({ key: command.key, tryNumber: command.tryNumber, memoryMiB: command.memoryMiB });
      return;
    case 'skip_task':
    case 'mark_upstream_failed': {
      const current = await store.getTaskInstance(command.key);
      const state = command.kind === 'skip_task' ? TaskState.Skipped : TaskState.UpstreamFailed;
      await store.updateTaskInstance(
        command.key,
        { state: command.from, tryNumber: current?.tryNumber ?? 0 },
        { state, endDate: now, reason: command.reason },
      );
      return;
    }
    case 'record_sla_miss':
      // Same state, same try: only the SLA mark is added (a concurrent change makes it stale).
      await store.updateTaskInstance(
        command.key,
        { state: command.from, tryNumber: command.tryNumber },
        { state: command.from, slaMissedAt: now },
      );
      return;
    case 'fail_task':
      await store.updateTaskInstance(
        command.key,
        { state: command.from, tryNumber: command.tryNumber },
        {
          state: command.outcome === 'failed' ? TaskState.Failed : TaskState.UpForRetry,
          endDate: now,
          reason: command.reason,
          ...(command.nextRetryAt && { nextRetryAt: command.nextRetryAt }),
        },
      );
      return;
    default:
      assertNever(command, 'command');
  }
}

const NONE: InstanceExpectation = { state: TaskState.None, tryNumber: 0 };

function scheduledRun(command: Extract<Command, { kind: 'create_run' }>, now: string): DagRunRecord {
  return {
    dagId: command.dagId,
    runId: command.runId,
    runType: 'scheduled',
    state: DagRunState.Queued,
    logicalDate: command.logicalDate,
    dataIntervalStart: command.dataInterval.start,
    dataIntervalEnd: command.dataInterval.end,
    runAfter: command.runAfter,
    conf: {},
    bundleVersion: command.bundleVersion,
    externalTrigger: false,
    queuedAt: now,
  };
}
