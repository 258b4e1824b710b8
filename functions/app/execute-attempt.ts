import { type AttemptResult, finishAttempt } from '../core/attempt';
import { buildGraph } from '../core/graph';
import type { SecretMasker } from '../core/masking';
import { type DagSpec, FUNCTION_OPERATOR_KINDS, type JsonValue, type TaskSpec } from '../core/model';
import { invalidBranchChoice } from '../core/planner/forced-skips';
import type { DagRunRecord, TaskInstanceKey, TaskInstanceRecord } from '../core/records';
import { externalJobOf, pokeTimedOut, rescheduleSensor } from '../core/sensor';
import { TaskState } from '../core/states';
import { RETURN_VALUE_KEY } from '../core/task-context';
import { classifyThrown } from '../core/task-errors';
import { resolveParams } from '../core/validation/params';
import type { Clock } from '../ports/clock';
import { StaleTransitionError } from '../ports/errors';
import type { AttemptOutcome, Metrics } from '../ports/metrics';
import type { NotificationSender } from '../ports/notifications';
import type { RunStore } from '../ports/run-store';
import type { SecretProvider } from '../ports/secret-provider';
import type { TaskCodeLoader } from '../ports/task-code';
import type { LogSink, TaskLog } from '../ports/task-log';
import type { OperatorRunner, PokeState } from '../ports/task-runner';
import type { TemplateEngine } from '../ports/template-engine';
import { type XComStore, XComTooLargeError } from '../ports/xcom-store';
import { type Guards, startGuards } from './attempt-guards';
import { startMasking } from './attempt-masking';
import { claimAttempt } from './claim-attempt';
import { fireTaskCallbacks } from './fire-callbacks';
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

/** The outcome of handling one dispatch: the attempt ran, or the claim lost (duplicate delivery). */
export type AttemptSummary =
  | { kind: 'ran'; instance: TaskInstanceRecord }
  | { kind: 'dropped'; reason: string };

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
    `starting attempt ${tryNumber} of ${task.retries + 1} of ${key.taskId} (${task.operator.kind})` +
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
  const attempt = { dag, run, key, tryNumber, log, guards, rendered, ...(poke && { poke }) };
  const result = await runGuarded(masking.deps, attempt).finally(() => guards.stop());
  const patch = {
    ...finishAttempt(task, claimed, masking.result(result), run.logicalDate, deps.clock.now()),
    // Airflow's "Rendered Template" view: what actually ran, secrets masked.
    ...(rendered.fields && { renderedFields: maskedFields(masking.masker, rendered.fields) }),
  };
  log.write(
    patch.state === TaskState.Success ? 'info' : 'warn',
    `attempt ${tryNumber} ended ${patch.state}${patch.reason ? `: ${patch.reason}` : ''}`,
  );
  await log.close();
  try {
    const instance = await deps.store.updateTaskInstance(key, { state: TaskState.Running, tryNumber }, patch);
    const outcome = attemptOutcome(instance.state);
    if (outcome) deps.metrics?.emit({ name: 'TaskAttempts', outcome, key, tryNumber });
    if (task.callbacks) {
      const { state, reason } = instance;
      await fireTaskCallbacks(deps, { dag, run, task, key, tryNumber, state, ...(reason && { reason }) });
    }
    return { kind: 'ran', instance };
  } catch (error) {
    // Someone else owns the instance now (cleared, or failed as a zombie): our result is void.
    if (error instanceof StaleTransitionError)
      return { kind: 'dropped', reason: `result discarded: ${error.message}` };
    throw error;
  }
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
    poke?: PokeState;
  },
): Promise<AttemptResult> {
  const { dag, run, key, tryNumber, log, guards } = args;
  const task = dag.tasks.find((t) => t.taskId === key.taskId)!;
  const tooBig = memoryShortfall(task, deps.memoryLimitMiB);
  if (tooBig) return { kind: 'failed', reason: tooBig, retryable: false };
  const params = resolveParams(dag.params, run.conf);
  if (!params.ok)
    return { kind: 'failed', reason: `invalid params: ${params.problems.join('; ')}`, retryable: false };
  try {
    const callable = FUNCTION_OPERATOR_KINDS.has(task.operator.kind)
      ? await deps.code.load(run.bundleVersion, dag, task.taskId)
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
    const stack = userFrames(error);
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

/** Secrets read while rendering are masked like those the task reads through its context. */
function registeringSecrets(secrets: SecretProvider | undefined, masker: SecretMasker | undefined) {
  if (!secrets || !masker) return secrets;
  return {
    connection: async (id: string) => {
      const found = await secrets.connection(id);
      if (found) masker.addConnection(found);
      return found;
    },
    variable: async (key: string) => {
      const value = await secrets.variable(key);
      if (value !== undefined) masker.addVariable(key, value);
      return value;
    },
  };
}

function maskedFields(masker: SecretMasker, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([path, value]) => [path, masker.mask(value)]));
}

/** The metric outcome of a finished attempt's state. */
function attemptOutcome(state: TaskState): AttemptOutcome | undefined {
  switch (state) {
    case TaskState.Success:
    case TaskState.Failed:
    case TaskState.UpForRetry:
    case TaskState.Skipped:
    case TaskState.UpForReschedule:
      return state;
    default:
      return undefined;
  }
}

/** Why a worker of `limitMiB` cannot host this task, if it cannot. */
function memoryShortfall(task: TaskSpec, limitMiB: number | undefined): string | undefined {
  if (limitMiB === undefined || task.executor !== 'lambda' || task.memoryMiB <= limitMiB) return undefined;
  return (
    `task declares memoryMiB ${task.memoryMiB} but the largest worker memory class has ${limitMiB} MiB; ` +
    "add a larger class (updraft:workerMemoryClasses) or lower the task's memoryMiB"
  );
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
