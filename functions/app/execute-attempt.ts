import { type AttemptResult, finishAttempt } from '../core/attempt';
import { buildGraph } from '../core/graph';
import type { SecretMasker } from '../core/masking';
import {
  type DagSpec,
  type EnvironmentSpec,
  FUNCTION_OPERATOR_KINDS,
  type JsonValue,
  type TaskSpec,
} from '../core/model';
import { invalidBranchChoice } from '../core/planner/forced-skips';
import {
  type DagRunRecord,
  effectiveMemoryMiB,
  type TaskEnvironment,
  type TaskInstanceKey,
  type TaskInstanceRecord,
} from '../core/records';
import { externalJobOf, pokeTimedOut, rescheduleSensor } from '../core/sensor';
import { RETURN_VALUE_KEY } from '../core/task-context';
import { classifyThrown } from '../core/task-errors';
import { resolveParams } from '../core/validation/params';
import type { Clock } from '../ports/clock';
import { StaleTransitionError } from '../ports/errors';
import type { Metrics } from '../ports/metrics';
import type { NotificationSender } from '../ports/notifications';
import type { RunStore } from '../ports/run-store';
import type { SecretProvider } from '../ports/secret-provider';
import type { TaskCodeLoader } from '../ports/task-code';
import type { LogSink, TaskLog } from '../ports/task-log';
import type { OperatorRunner, PokeState } from '../ports/task-runner';
import type { TemplateEngine } from '../ports/template-engine';
import { type XComStore, XComTooLargeError } from '../ports/xcom-store';
import { type Guards, startGuards } from './attempt-guards';
import { registeringSecrets, startMasking } from './attempt-masking';
import { claimAttempt } from './claim-attempt';
import { type AttemptSummary, recordAttemptEnd } from './record-attempt-end';
import { FieldTemplateError, renderTask } from './render-task';
import { resolveInputs } from './resolve-inputs';
import { buildContext } from './task-context';

/** Ports one attempt needs. */
export interface AttemptDeps {
  store: RunStore;
  xcom: XComStore;
  logs: LogSink;
  code: TaskCodeLoader;
  runOperator: OperatorRunner;
  clock: Clock;
  /** Heartbeat period in seconds while an attempt runs; none in `dags test`. */
  heartbeatSeconds?: number;
  /** Connections and variables for `context.connection()` / `context.variable()`. */
  secrets?: SecretProvider;
  /**
   * Memory of the worker hosting the attempt (its memory class), in MiB. A Lambda task that
   * declares more fails before it starts instead of running out of memory. Unset: not checked.
   */
  memoryLimitMiB?: number;
  /** Attempt outcomes and dispatch latency; none when unset. */
  metrics?: Metrics;
  /** The attempt's secret masker: `executeAttempt` sets it per attempt (callers leave it unset). */
  masker?: SecretMasker;
  /** Renders templated operator fields (Jinja) just before the operator runs. */
  templates: TemplateEngine;
  /** Sends the task's `onSuccess` / `onFailure` / `onRetry` notifiers; none are sent when unset. */
  notifications?: NotificationSender;
  /** Told about a notifier that could not be delivered (a callback never fails the task). */
  onCallbackError?: (message: string) => void;
}

/** One attempt to run; `deadlineAt` (epoch ms) is when the hosting worker must have stopped it. */
export interface AttemptArgs {
  dag: DagSpec;
  run: DagRunRecord;
  key: TaskInstanceKey;
  tryNumber: number;
  deadlineAt?: number;
}

export type { AttemptSummary } from './record-attempt-end';

/**
 * Runs one task attempt: claims `queued → running` for this try number, or a sensor's due poke
 * (a duplicate delivery loses the claim and is dropped), runs the operator under the execution timeout, pushes the
 * XCom, and records success, skip, retry or failure with its reason.
 */
export async function executeAttempt(deps: AttemptDeps, args: AttemptArgs): Promise<AttemptSummary> {
  const { dag, run, key, tryNumber } = args;
  const task = dag.tasks.find((t) => t.taskId === key.taskId);
  if (!task)
    return {
      kind: 'dropped',
      reason: `task "${key.taskId}" is not in DAG "${dag.dagId}" of bundle ${run.bundleVersion}`,
    };
  let claimed: TaskInstanceRecord;
  const startedAt = deps.clock.now();
  try {
    claimed = await claimAttempt(deps.store, task, key, tryNumber, startedAt);
  } catch (error) {
    if (error instanceof StaleTransitionError) return { kind: 'dropped', reason: error.message };
    throw error;
  }
  if (claimed.queuedAt)
    deps.metrics?.emit({
      name: 'DispatchLatency',
      milliseconds: Math.max(0, Date.parse(startedAt) - Date.parse(claimed.queuedAt)),
      key,
      tryNumber,
    });
  // One masker per attempt: secrets the task reads are hidden in its log, reason and XCom view.
  const masking = startMasking(deps, await deps.logs.open(key, tryNumber), tryNumber);
  const log = masking.log;
  log.write(
    'info',
    (claimed.memoryMiB !== undefined && claimed.memoryMiB !== task.memoryMiB
      ? `starting attempt ${tryNumber} of ${key.taskId} (${task.operator.kind}) with ${claimed.memoryMiB} MiB after out-of-memory escalation`
      : `starting attempt ${tryNumber} of ${task.retries + 1} of ${key.taskId} (${task.operator.kind})`) +
      // A reschedule-mode sensor continues its try: say which poke this is.
      (claimed.pokeCount ? `, poke ${claimed.pokeCount + 1}` : ''),
  );
  const guards = startGuards({
    store: deps.store,
    key,
    tryNumber,
    now: () => deps.clock.now(),
    ...(task.executionTimeoutSeconds !== undefined && {
      executionTimeoutSeconds: task.executionTimeoutSeconds,
    }),
    ...(args.deadlineAt !== undefined && { deadlineAt: args.deadlineAt }),
    ...(deps.heartbeatSeconds !== undefined && { heartbeatSeconds: deps.heartbeatSeconds }),
  });
  const rendered: { fields?: Record<string, string> } = {};
  const poke = pokeStateOf(task, claimed, tryNumber, startedAt);
  const environment = environmentOf(dag, task, run, effectiveMemoryMiB(task, claimed), deps.code.runtime);
  const attempt = { dag, run, key, tryNumber, log, guards, rendered, environment, ...(poke && { poke }) };
  const result = await runGuarded(masking.deps, attempt).finally(() => guards.stop());
  const patch = {
    ...finishAttempt(task, claimed, masking.result(result), run.logicalDate, deps.clock.now()),
    environment,
    // Airflow's "Rendered Template" view: what actually ran, secrets masked.
    ...(rendered.fields && { renderedFields: maskedFields(masking.masker, rendered.fields) }),
  };
  return recordAttemptEnd(deps, { dag, run, task, key, tryNumber, patch, log });
}

async function runGuarded(
  deps: AttemptDeps,
  args: {
    dag: DagSpec;
    run: DagRunRecord;
    key: TaskInstanceKey;
    tryNumber: number;
    log: TaskLog;
    guards: Guards;
    /** Receives the rendered templated fields, for the task instance record. */
    rendered: { fields?: Record<string, string> };
    /** The instance's environment record: operators add what they learn to it. */
    environment: TaskEnvironment;
    poke?: PokeState;
  },
): Promise<AttemptResult> {
  const { dag, run, key, tryNumber, log, guards, environment } = args;
  const task = dag.tasks.find((t) => t.taskId === key.taskId)!;
  const memoryMiB = environment.memoryMiB;
  const declared = declaredEnvironment(dag, task);
  const tooBig = memoryShortfall(task, memoryMiB, deps.memoryLimitMiB);
  if (tooBig) return { kind: 'failed', reason: tooBig, retryable: false };
  const params = resolveParams(dag.params, run.conf);
  if (!params.ok)
    return { kind: 'failed', reason: `invalid params: ${params.problems.join('; ')}`, retryable: false };
  try {
    const callable = FUNCTION_OPERATOR_KINDS.has(task.operator.kind)
      ? await deps.code.load(run.bundleVersion, dag, task.taskId, memoryMiB)
      : undefined;
    const context = buildContext({
      dag,
      run,
      key,
      tryNumber,
      params: params.params,
      log,
      signal: guards.signal,
      deps,
    });
    const inputs = await resolveInputs(deps, task, key);
    const renderDeps = { ...deps, secrets: registeringSecrets(deps.secrets, deps.masker) };
    const rendered = await renderTask(renderDeps, { dag, task, run, key, tryNumber, params: params.params });
    if (Object.keys(rendered.fields).length > 0) args.rendered.fields = rendered.fields;
    const outcome = await Promise.race([
      deps.runOperator({
        task: rendered.task,
        context,
        inputs,
        ...(callable && { callable }),
        ...(args.poke && { poke: args.poke }),
        bundleVersion: run.bundleVersion,
        memoryMiB,
        ...(declared && { environment: declared }),
        recordEnvironment: (details) => Object.assign(environment, details),
      }),
      guards.aborted,
    ]);
    if (outcome.kind !== 'done') return outcome;
    const badChoice =
      outcome.followTaskIds && invalidBranchChoice(buildGraph(dag.tasks), task.taskId, outcome.followTaskIds);
    if (badChoice) return { kind: 'failed', reason: badChoice, retryable: false };
    const value = outcome.value;
    if (value !== undefined && value !== null) {
      const json = toJson(value);
      if (json === undefined)
        return { kind: 'failed', reason: 'return value is not JSON data (XComs are JSON)', retryable: false };
      await deps.xcom.push(key, RETURN_VALUE_KEY, json);
    }
    for (const [xcomKey, extra] of Object.entries(outcome.xcoms ?? {}))
      await deps.xcom.push(key, xcomKey, extra);
    return {
      kind: 'success',
      xcomLength: Array.isArray(value) ? value.length : null,
      ...(outcome.followTaskIds && { followTaskIds: outcome.followTaskIds }),
      ...(outcome.shortCircuited !== undefined && { shortCircuited: outcome.shortCircuited }),
    };
  } catch (error) {
    if (error instanceof XComTooLargeError)
      return { kind: 'failed', reason: error.message, retryable: false };
    if (error instanceof FieldTemplateError) {
      log.write('error', error.message);
      return { kind: 'failed', reason: error.message, retryable: true };
    }
    const thrown = classifyThrown(error);
    log.write('error', thrown.reason);
    // An out-of-memory kill happened outside the task's code: its frames would be Updraft's.
    const stack = thrown.kind === 'failed' && thrown.outOfMemory ? undefined : userFrames(error);
    if (stack) log.write('error', stack);
    return thrown;
  }
}

/** A reschedule-mode sensor's poke state at the start of this poke (`startedAt`, the claim time). */
function pokeStateOf(
  task: TaskSpec,
  claimed: TaskInstanceRecord,
  tryNumber: number,
  startedAt: string,
): PokeState | undefined {
  const spec = rescheduleSensor(task);
  if (!spec) return undefined;
  const externalJobId = externalJobOf(claimed, tryNumber);
  return {
    timedOut: pokeTimedOut(spec, claimed, startedAt),
    ...(externalJobId !== undefined && { externalJobId }),
  };
}

function maskedFields(masker: SecretMasker, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([path, value]) => [path, masker.mask(value)]));
}

/** Why a worker of `limitMiB` cannot host this attempt of `memoryMiB`, if it cannot. */
function memoryShortfall(
  task: TaskSpec,
  memoryMiB: number,
  limitMiB: number | undefined,
): string | undefined {
  if (limitMiB === undefined || task.executor !== 'lambda' || memoryMiB <= limitMiB) return undefined;
  const what =
    memoryMiB === task.memoryMiB
      ? `declares memoryMiB ${memoryMiB}`
      : `needs ${memoryMiB} MiB after out-of-memory escalation`;
  return (
    `task ${what} but the largest worker memory class has ${limitMiB} MiB; ` +
    "add a larger class (updraft:workerMemoryClasses) or lower the task's memoryMiB"
  );
}

/** The environment a container or Python task declared. */
function declaredEnvironment(dag: DagSpec, task: TaskSpec): EnvironmentSpec | undefined {
  const operator = task.operator;
  if (operator.kind !== 'container') return undefined;
  return dag.environments?.find((e) => e.name === operator.environment);
}

/** The environment record an attempt starts with; operators add image digests, versions, ARNs. */
function environmentOf(
  dag: DagSpec,
  task: TaskSpec,
  run: DagRunRecord,
  memoryMiB: number,
  codeRuntime: string | undefined,
): TaskEnvironment {
  const declared = declaredEnvironment(dag, task);
  const functionLike = FUNCTION_OPERATOR_KINDS.has(task.operator.kind);
  return {
    bundleVersion: run.bundleVersion,
    memoryMiB,
    runtime: functionLike ? (codeRuntime ?? 'worker') : 'worker',
    ...(declared && { name: declared.name, hash: declared.hash }),
  };
}

/** The thrown error's stack frames up to where Updraft's runtime called the task, so users see their code. */
function userFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  const frames = error.stack.split('\n').filter((line) => line.trimStart().startsWith('at '));
  const end = frames.findIndex((line) => /[\\/]functions[\\/](operators|app)[\\/]/.test(line));
  const own = end === -1 ? frames : frames.slice(0, end);
  return own.length > 0 ? own.join('\n') : undefined;
}

function toJson(value: unknown): JsonValue | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}
