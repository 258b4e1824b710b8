import { DagDefinitionError, type TaskCallable } from '../core/dag-definition';
import type { InputSpec, JsonValue, OperatorSpec, SensorSpec } from '../core/model';
import type { TaskContext } from '../core/task-context';
import { currentBuilder } from './builder';
import type { TaskOptions } from './options';
import { isXComArg, TaskRef, type XComArg } from './refs';

/** Each argument may be given as a value or as an upstream task's output of the same type. */
export type Wire<A extends readonly unknown[]> = { [K in keyof A]: A[K] | XComArg<A[K]> };

/** The mapped form of `(first, ...rest)`: a list (or a list-valued XCom) for `first`. */
export type ExpandArgs<A extends readonly unknown[]> = A extends readonly [infer First, ...infer Rest]
  ? [over: First[] | XComArg<First[]>, ...rest: Wire<Rest>]
  : never;

/** A task function made callable (Airflow's `@task`): call it inside a DAG to add a task. */
export interface TaskFactory<A extends unknown[], R> {
  (...args: Wire<A>): TaskRef<R>;
  /** Dynamic task mapping: one task instance per element of `over`; downstream gets the results in order. */
  expand(...args: ExpandArgs<A>): TaskRef<R[]>;
  /** The same function with other options (Airflow's `.override(task_id=…)`). */
  override(options: Partial<TaskOptions>): TaskFactory<A, R>;
  readonly taskId: string;
}

/** The function behind a task: gets the task context, then its arguments. */
export type TaskFunction<A extends unknown[], R> = (context: TaskContext, ...args: A) => R | Promise<R>;

/**
 * A TypeScript function task (Airflow's TaskFlow `@task`). Its return value is its XCom, and
 * passing its result to another task both wires the data and adds the dependency.
 */
export function task<A extends unknown[], R>(
  options: TaskOptions | string,
  fn: TaskFunction<A, R>,
): TaskFactory<A, Awaited<R>> {
  return makeFactory({ kind: 'function' }, normalize(options), fn);
}

/**
 * A branching task (Airflow's `@task.branch`): returns the task id(s) (or group ids) to follow;
 * the other direct downstream tasks are skipped.
 */
export function branch<A extends unknown[]>(
  options: TaskOptions | string,
  fn: TaskFunction<A, string | string[] | null>,
): TaskFactory<A, string | string[] | null> {
  return makeFactory({ kind: 'branch' }, normalize(options), fn);
}

/**
 * A short-circuit task (Airflow's `@task.short_circuit`): a falsy result skips downstream tasks
 * (all of them by default; only direct ones, respecting trigger rules, with `ignoreDownstreamTriggerRules: false`).
 */
export function shortCircuit<A extends unknown[]>(
  options: (TaskOptions & { ignoreDownstreamTriggerRules?: boolean }) | string,
  fn: TaskFunction<A, unknown>,
): TaskFactory<A, unknown> {
  const opts = normalize(options) as TaskOptions & { ignoreDownstreamTriggerRules?: boolean };
  const { ignoreDownstreamTriggerRules = true, ...rest } = opts;
  return makeFactory({ kind: 'short_circuit', ignoreDownstreamTriggerRules }, rest, fn);
}

/** What a sensor's poke returns: done or not, optionally with a value that becomes its XCom. */
export type PokeResult = boolean | { done: boolean; xcom?: JsonValue };

/** Sensor options (Airflow's BaseSensorOperator), seconds unless noted. */
export interface SensorOptions extends TaskOptions {
  /**
   * `reschedule` (default): each poke is its own short attempt and no worker runs between pokes;
   * `poke`: one attempt sleeps between pokes (for waits of seconds, within the worker's time limit).
   */
  mode?: SensorSpec['mode'];
  /** Default 60. */
  pokeIntervalSeconds?: number;
  /** Give up this long after the first poke of the try. Default 7 days, as in Airflow. */
  timeoutSeconds?: number;
  /** Grow the interval per poke (Airflow's formula, with jitter). */
  exponentialBackoff?: boolean;
  /** Cap of the backoff interval (Airflow's `max_wait`). */
  maxWaitSeconds?: number;
  /** On timeout, end skipped instead of failed. */
  softFail?: boolean;
}

/** A sensor with a TypeScript poke function: the task succeeds once `poke` reports done. */
export function sensor<A extends unknown[]>(
  options: SensorOptions,
  poke: TaskFunction<A, PokeResult>,
): TaskFactory<A, unknown> {
  const { sensor: spec, taskOptions } = splitSensorOptions(options);
  return makeFactory({ kind: 'sensor', sensor: spec }, taskOptions, poke);
}

/** Separates the sensor options (with Airflow's defaults) from the task options. */
export function splitSensorOptions<O extends SensorOptions>(
  options: O,
): { sensor: SensorSpec; taskOptions: Omit<O, keyof Omit<SensorOptions, keyof TaskOptions>> } {
  const {
    mode = 'reschedule',
    pokeIntervalSeconds = 60,
    timeoutSeconds = 7 * 86_400,
    exponentialBackoff = false,
    maxWaitSeconds,
    softFail = false,
    ...taskOptions
  } = options;
  const sensor: SensorSpec = {
    mode,
    pokeIntervalSeconds,
    timeoutSeconds,
    exponentialBackoff,
    ...(maxWaitSeconds !== undefined && { maxWaitSeconds }),
    softFail,
  };
  return { sensor, taskOptions };
}

function normalize(options: TaskOptions | string): TaskOptions {
  return typeof options === 'string' ? { taskId: options } : options;
}

function makeFactory<A extends unknown[], R>(
  operator: OperatorSpec,
  options: TaskOptions,
  fn: TaskFunction<A, unknown>,
): TaskFactory<A, R> {
  const { taskId, ...rest } = options;
  const callable = fn as unknown as TaskCallable;
  const instantiate = (args: unknown[], mapOver?: unknown): TaskRef<never> => {
    const builder = currentBuilder(`task "${taskId}"`);
    const id = builder.uniqueId(taskId);
    const inputs = args.map((arg, i) => toInput(arg, builder.dagId, id, `argument ${i + 1}`));
    const mapped =
      mapOver === undefined ? undefined : { over: toInput(mapOver, builder.dagId, id, 'expand') };
    const upstream = new Set(
      [...inputs, ...(mapped ? [mapped.over] : [])].flatMap((i) => (i.kind === 'xcom' ? [i.taskId] : [])),
    );
    const group = builder.currentGroup;
    builder.add({
      taskId: id,
      operator,
      options: rest,
      upstream,
      inputs,
      callable,
      ...(mapped && { mapped }),
      ...(group && { group }),
    });
    return new TaskRef(builder, id);
  };
  const factory = ((...args: unknown[]) => instantiate(args)) as unknown as TaskFactory<A, R>;
  factory.expand = ((over: unknown, ...rest: unknown[]) => instantiate(rest, over)) as TaskFactory<
    A,
    R
  >['expand'];
  factory.override = (more) => makeFactory(operator, { ...options, ...more }, fn);
  Object.defineProperty(factory, 'taskId', { value: taskId });
  return factory;
}

/** Turns an argument into its serialized form: an XCom reference or a JSON literal. */
export function toInput(value: unknown, dagId: string, taskId: string, what: string): InputSpec {
  if (isXComArg(value)) return { kind: 'xcom', taskId: value.taskId, key: value.key };
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // BigInt and circular structures throw a bare TypeError; report them like any other non-JSON value.
  }
  if (json === undefined || !sameJson(JSON.parse(json), value)) {
    throw new DagDefinitionError(`${what} is not JSON data: ${describe(value)}`, {
      dagId,
      taskId,
      field: 'inputs',
      fix: 'pass JSON values (strings, numbers, booleans, null, arrays, plain objects) or task outputs',
    });
  }
  return { kind: 'literal', value: JSON.parse(json) as JsonValue };
}

function sameJson(parsed: unknown, original: unknown): boolean {
  if (original === null || typeof original !== 'object') return parsed === original;
  if (Array.isArray(original))
    return Array.isArray(parsed) && original.every((v, i) => sameJson(parsed[i], v));
  if (Object.getPrototypeOf(original) !== Object.prototype) return false;
  return Object.entries(original).every(([k, v]) => sameJson((parsed as Record<string, unknown>)[k], v));
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value instanceof Date) return 'a Date (pass value.toISOString())';
  if (typeof value === 'bigint') return `a bigint (${value}n)`;
  return typeof value === 'object' ? `an instance of ${value?.constructor?.name ?? 'object'}` : String(value);
}
