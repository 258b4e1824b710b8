import { assertNever } from '../../../../functions/core/assert-never';
import { type DagSpec, type OperatorSpec, type TaskSpec, UNMAPPED } from '../../../../functions/core/model';
import {
  type Command,
  DEFAULT_PLAN_LIMITS,
  type PlanLimits,
} from '../../../../functions/core/planner/commands';
import { planRun, type RunPlanInput } from '../../../../functions/core/planner/plan-run';
import type { RunPlan } from '../../../../functions/core/planner/ready';
import type { DagRunRecord, DagStateRecord, TaskInstanceRecord } from '../../../../functions/core/records';
import type { TaskState } from '../../../../functions/core/states';
import { dagSpec, taskSpec } from '../../../helpers/specs';

/** The planner's clock in every table unless a row says otherwise. */
export const NOW = '2024-01-02T00:10:00.000Z';

/** Limits used by the tables: the defaults, spelled out so expectations can quote them. */
export const LIMITS: PlanLimits = { ...DEFAULT_PLAN_LIMITS };

/** `NOW` minus `seconds`, as an ISO instant. */
export function ago(seconds: number, from = NOW): string {
  return new Date(Date.parse(from) - seconds * 1000).toISOString();
}

/** `NOW` plus `seconds`, as an ISO instant. */
export function later(seconds: number, from = NOW): string {
  return ago(-seconds, from);
}

/** A TaskSpec with Updraft's defaults; `upstream` first because every table sets it. */
export function t(taskId: string, upstream: string[] = [], overrides: Partial<TaskSpec> = {}): TaskSpec {
  return taskSpec(taskId, { upstream, ...overrides });
}

/** Operator shorthands for `t(..., { operator })`. */
export const op = {
  branch: { kind: 'branch' } as OperatorSpec,
  shortCircuit: (ignoreDownstreamTriggerRules: boolean): OperatorSpec => ({
    kind: 'short_circuit',
    ignoreDownstreamTriggerRules,
  }),
};

/** A DagSpec with Updraft's defaults around the given tasks (manual schedule, UTC). */
export function specOf(init: Partial<DagSpec> & { tasks: TaskSpec[] }): DagSpec {
  return dagSpec(init.dagId ?? 'd', init);
}

/** `a → b → c …`: each task depends on the previous one. */
export function linear(...ids: string[]): TaskSpec[] {
  return ids.map((id, i) => t(id, i === 0 ? [] : [ids[i - 1]!]));
}

/** A running manual run of DAG `d` started 10 minutes before NOW. */
export function runOf(overrides: Partial<DagRunRecord> = {}): DagRunRecord {
  const logicalDate = overrides.logicalDate ?? '2024-01-02T00:00:00.000Z';
  return {
    dagId: 'd',
    runId: `manual__${logicalDate}`,
    runType: 'manual',
    state: 'running',
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: logicalDate,
    runAfter: logicalDate,
    conf: {},
    bundleVersion: 'v1',
    externalTrigger: true,
    queuedAt: logicalDate,
    startDate: logicalDate,
    ...overrides,
  };
}

/**
 * `a=success`, `m[2]=running` → a task instance record of `run`. Defaults keep in-flight instances
 * healthy at NOW (queued 5 s ago, running since 60 s with a heartbeat 5 s ago); tryNumber 1 once started.
 */
export function ti(spec: string, extra: Partial<TaskInstanceRecord> = {}, run = runOf()): TaskInstanceRecord {
  const match = /^([\w.]+)(?:\[(\d+)\])?=(\w+)$/.exec(spec);
  if (!match) throw new Error(`bad instance spec ${spec}`);
  const state = match[3] as TaskState;
  return {
    dagId: run.dagId,
    runId: run.runId,
    taskId: match[1]!,
    mapIndex: match[2] === undefined ? UNMAPPED : Number(match[2]),
    state,
    tryNumber: state === 'none' || state === 'scheduled' ? 0 : 1,
    ...(state === 'queued' && { queuedAt: ago(5) }),
    ...(state === 'running' && { queuedAt: ago(65), startDate: ago(60), heartbeatAt: ago(5) }),
    ...extra,
  };
}

/** Scheduler state of DAG `d`. */
export function dagState(overrides: Partial<DagStateRecord> = {}): DagStateRecord {
  return { dagId: 'd', isPaused: false, ...overrides };
}

/** Compact, order-preserving rendering of commands, e.g. `skip b`, `fail a→up_for_retry`, `finish failed`. */
export function summarize(commands: readonly Command[]): string[] {
  return commands.map((c) => {
    switch (c.kind) {
      case 'create_run':
        return `create ${c.dagId} ${c.logicalDate}`;
      case 'start_run':
        return `start ${c.runId}`;
      case 'finish_run':
        return `finish ${c.state}`;
      case 'expand_task':
        return `expand ${c.taskId}×${c.count}`;
      case 'queue_task':
        return `queue ${name(c.key)}`;
      case 'resend_task':
        return `resend ${name(c.key)}`;
      case 'skip_task':
        return `skip ${name(c.key)}`;
      case 'mark_upstream_failed':
        return `upstream_failed ${name(c.key)}`;
      case 'record_sla_miss':
        return `sla_miss ${name(c.key)}`;
      case 'fail_task':
        return `fail ${name(c.key)}→${c.outcome}`;
      default:
        return assertNever(c, 'command');
    }
  });
}

/** A run plan as `summarize`d commands followed by `ready x` entries. */
export function summarizePlan(plan: RunPlan): string[] {
  return [...summarize(plan.commands), ...plan.ready.map((r) => `ready ${name(r.key)}`)];
}

function name(key: { taskId: string; mapIndex: number }): string {
  return key.mapIndex === UNMAPPED ? key.taskId : `${key.taskId}[${key.mapIndex}]`;
}

/** Plans one run of `dag` at NOW (or `opts.now`) with the table's instances. */
export function planOf(
  dag: DagSpec,
  instances: readonly TaskInstanceRecord[],
  opts: Partial<Omit<RunPlanInput, 'dag' | 'instances'>> = {},
): RunPlan {
  return planRun({ dag, instances, run: runOf(), previous: null, now: NOW, limits: LIMITS, ...opts });
}
