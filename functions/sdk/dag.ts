import {
  DAG_BRAND,
  type DagDefinition,
  DagDefinitionError,
  type DagLocation,
  type TaskCallable,
} from '../core/dag-definition';
import { type DurationInput, toSeconds } from '../core/duration';
import type {
  DagCallbacks,
  DagSpec,
  EnvironmentSpec,
  NotifierSpec,
  OutOfMemoryPolicy,
  ParamSpec,
  ScheduleSpec,
  TaskCallbacks,
  TaskSpec,
} from '../core/model';
import { parseSchedule, validateTimezone } from '../core/timetables';
import { parseDagDate } from '../core/timetables/dag-date';
import { DagBuilder, type PendingTask, withBuilder } from './builder';
import {
  DAG_DEFAULTS,
  type DagOptions,
  type ParamDeclaration,
  TASK_DEFAULTS,
  type TaskDefaults,
} from './options';

/** A DAG object; export it from a `*.dag.ts` file so `updraft dags build` finds it. */
export class Dag implements DagDefinition {
  readonly [DAG_BRAND] = true as const;
  readonly dagId: string;
  private readonly builder: DagBuilder;

  constructor(
    private readonly options: DagOptions,
    define: () => unknown,
  ) {
    if (typeof options?.dagId !== 'string') {
      throw new DagDefinitionError('dag() needs a string dagId', {
        field: 'dagId',
        fix: "dag({ dagId: 'my_dag' }, ...)",
      });
    }
    this.dagId = options.dagId;
    this.builder = new DagBuilder(options.dagId);
    withBuilder(this.builder, define);
  }

  /** Serializes the DAG with every default applied. */
  toSpec(location: DagLocation): DagSpec {
    const o = this.options;
    const fail = (field: string, message: string, fix?: string): never => {
      throw new DagDefinitionError(message, { dagId: this.dagId, field, ...(fix && { fix }) });
    };
    const timezone = o.timezone ?? DAG_DEFAULTS.timezone;
    const date = (field: 'startDate' | 'endDate'): string | undefined => {
      const value = o[field];
      if (value === undefined) return undefined;
      // toISOString() would throw a bare RangeError on an invalid Date.
      if (value instanceof Date && Number.isNaN(value.getTime())) fail(field, 'invalid Date object');
      // A date cannot be read in an unknown zone: blame the zone, not the date.
      const zoneProblem = validateTimezone(timezone);
      if (zoneProblem) fail('timezone', zoneProblem, 'use an IANA zone like "Europe/Amsterdam"');
      const parsed = parseDagDate(value instanceof Date ? value.toISOString() : value, timezone);
      return parsed.ok
        ? parsed.iso
        : fail(field, parsed.problem, 'use "2024-01-31", "2024-01-31T06:00" or an ISO instant');
    };
    const seconds = (field: string, value: DurationInput | undefined): number | undefined => {
      if (value === undefined) return undefined;
      const parsed = toSeconds(value);
      return parsed.ok ? parsed.seconds : fail(field, parsed.problem);
    };
    const startDate = date('startDate');
    const endDate = date('endDate');
    const dagrunTimeoutSeconds = seconds('dagrunTimeout', o.dagrunTimeout);
    const owner = o.owner ?? o.defaultArgs?.owner ?? TASK_DEFAULTS.owner;
    return {
      dagId: this.dagId,
      ...(o.description !== undefined && { description: o.description }),
      ...(o.doc !== undefined && { doc: o.doc }),
      owner,
      tags: [...(o.tags ?? [])],
      schedule: this.schedule(fail),
      timezone,
      ...(startDate !== undefined && { startDate }),
      ...(endDate !== undefined && { endDate }),
      catchup: o.catchup ?? DAG_DEFAULTS.catchup,
      maxActiveRuns: o.maxActiveRuns ?? DAG_DEFAULTS.maxActiveRuns,
      maxActiveTasks: o.maxActiveTasks ?? DAG_DEFAULTS.maxActiveTasks,
      ...(dagrunTimeoutSeconds !== undefined && { dagrunTimeoutSeconds }),
      isPausedUponCreation: o.isPausedUponCreation ?? false,
      params: paramSpecs(o.params ?? {}),
      ...dagCallbacks(o),
      tasks: this.builder.tasks.map((t) => taskSpec(t, { ...o.defaultArgs, owner }, this.dagId)),
      // The hash is filled in by `updraft dags build`, which reads the environment's files.
      ...(this.builder.environments.size > 0 && {
        environments: [...this.builder.environments.values()].map(
          (e) => ({ ...e, hash: '' }) as EnvironmentSpec,
        ),
      }),
      fileloc: location.fileloc,
      module: location.module,
    };
  }

  /** The TS function of a function-like task. */
  taskCallable(taskId: string): TaskCallable | undefined {
    return this.builder.find(taskId)?.callable;
  }

  private schedule(fail: (field: string, message: string, fix?: string) => never): ScheduleSpec {
    const input = this.options.schedule;
    if (input === undefined || input === null) return { kind: 'none' };
    const trigger = typeof input === 'object';
    const parsed = parseSchedule(trigger ? input.cronTrigger : input, { trigger });
    return parsed.ok ? parsed.schedule : fail('schedule', parsed.problem);
  }
}

/** Defines a DAG: tasks created inside `define` belong to it (Airflow's `with DAG(...)`). */
export function dag(options: DagOptions, define: () => unknown): Dag {
  return new Dag(options, define);
}

function paramSpecs(params: NonNullable<DagOptions['params']>): Record<string, ParamSpec> {
  const isDeclaration = (v: unknown): v is ParamDeclaration =>
    typeof v === 'object' && v !== null && (v as ParamDeclaration).__param === true;
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      isDeclaration(value) ? value.spec : { default: value },
    ]),
  );
}

function taskSpec(task: PendingTask, defaults: TaskDefaults, dagId: string): TaskSpec {
  const o = { ...defaults, ...task.options };
  const seconds = (field: string, value: DurationInput | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = toSeconds(value);
    if (!parsed.ok) throw new DagDefinitionError(parsed.problem, { dagId, taskId: task.taskId, field });
    return parsed.seconds;
  };
  const maxRetryDelaySeconds = seconds('maxRetryDelay', o.maxRetryDelay);
  const executionTimeoutSeconds = seconds('executionTimeout', o.executionTimeout);
  const slaSeconds = seconds('sla', o.sla);
  return {
    taskId: task.taskId,
    ...(task.group !== undefined && { group: task.group }),
    operator: task.operator,
    upstream: [...task.upstream],
    inputs: task.inputs,
    ...(task.mapped !== undefined && { mapped: task.mapped }),
    triggerRule: o.triggerRule ?? TASK_DEFAULTS.triggerRule,
    retries: o.retries ?? TASK_DEFAULTS.retries,
    retryDelaySeconds: seconds('retryDelay', o.retryDelay) ?? TASK_DEFAULTS.retryDelaySeconds,
    retryExponentialBackoff: o.retryExponentialBackoff ?? TASK_DEFAULTS.retryExponentialBackoff,
    ...(maxRetryDelaySeconds !== undefined && { maxRetryDelaySeconds }),
    ...(executionTimeoutSeconds !== undefined && { executionTimeoutSeconds }),
    dependsOnPast: o.dependsOnPast ?? TASK_DEFAULTS.dependsOnPast,
    pool: o.pool ?? TASK_DEFAULTS.pool,
    poolSlots: o.poolSlots ?? TASK_DEFAULTS.poolSlots,
    priorityWeight: o.priorityWeight ?? TASK_DEFAULTS.priorityWeight,
    executor: o.executor ?? TASK_DEFAULTS.executor,
    memoryMiB: o.memoryMiB ?? TASK_DEFAULTS.memoryMiB,
    ...outOfMemoryPolicy(o, dagId, task.taskId),
    owner: o.owner ?? TASK_DEFAULTS.owner,
    ...(task.options.doc !== undefined && { doc: task.options.doc }),
    ...taskCallbacks(o),
    ...(slaSeconds !== undefined && { slaSeconds }),
  };
}

/** `onOutOfMemory` when escalation is on; its max must allow at least one doubling. */
function outOfMemoryPolicy(
  o: TaskDefaults,
  dagId: string,
  taskId: string,
): { onOutOfMemory?: OutOfMemoryPolicy } {
  const policy = o.onOutOfMemory;
  if (!policy?.retryWithMoreMemory) return {};
  const memoryMiB = o.memoryMiB ?? TASK_DEFAULTS.memoryMiB;
  const max = policy.maxMemoryMiB;
  if (!Number.isInteger(max) || max <= memoryMiB)
    throw new DagDefinitionError(
      `onOutOfMemory.maxMemoryMiB must be a whole number above the task's memoryMiB (${memoryMiB}), got ${JSON.stringify(max)}`,
      {
        dagId,
        taskId,
        field: 'onOutOfMemory.maxMemoryMiB',
        fix: `e.g. { retryWithMoreMemory: true, maxMemoryMiB: ${memoryMiB * 4} }`,
      },
    );
  return { onOutOfMemory: { maxMemoryMiB: max } };
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** `callbacks` only when a notifier is set, so DAGs without callbacks serialize as before. */
function taskCallbacks(o: TaskDefaults): { callbacks?: TaskCallbacks } {
  const callbacks = { onSuccess: list(o.onSuccess), onFailure: list(o.onFailure), onRetry: list(o.onRetry) };
  return Object.values(callbacks).some((l) => l.length > 0) ? { callbacks } : {};
}

/** The DAG's run callbacks, only when set. */
function dagCallbacks(o: {
  onSuccess?: NotifierSpec | NotifierSpec[];
  onFailure?: NotifierSpec | NotifierSpec[];
  onSlaMiss?: NotifierSpec | NotifierSpec[];
}): {
  callbacks?: DagCallbacks;
} {
  const callbacks = {
    onSuccess: list(o.onSuccess),
    onFailure: list(o.onFailure),
    onSlaMiss: list(o.onSlaMiss),
  };
  return Object.values(callbacks).some((l) => l.length > 0) ? { callbacks } : {};
}
