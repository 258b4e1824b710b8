import { DagDefinitionError } from '../core/dag-definition';
import type { JsonValue, OperatorSpec } from '../core/model';
import type { DagRunState } from '../core/states';
import { currentBuilder } from './builder';
import {
  type EnvironmentDeclaration,
  type ImageEnvironment,
  image,
  type PythonEnvironment,
} from './environments';
import { type HttpRequestOptions, splitRequest } from './http-options';
import type { TaskOptions } from './options';
import { TaskRef } from './refs';

/** Adds a declarative operator task to the DAG being defined (Airflow's classic operators). */
export function declare<T>(operator: OperatorSpec, options: TaskOptions): TaskRef<T> {
  const builder = currentBuilder(`task "${options.taskId}"`);
  const { taskId, ...rest } = options;
  const id = builder.qualify(taskId);
  const group = builder.currentGroup;
  builder.add({
    taskId: id,
    operator,
    options: rest,
    upstream: new Set(),
    inputs: [],
    ...(group && { group }),
  });
  return new TaskRef<T>(builder, id);
}

/** Does nothing; a join or a marker (Airflow's EmptyOperator). */
export function empty(options: TaskOptions | string): TaskRef<null> {
  return declare({ kind: 'empty' }, typeof options === 'string' ? { taskId: options } : options);
}

/** Runs a shell command (Airflow's BashOperator); the last line of stdout is its XCom. */
export function bash(
  options: TaskOptions & {
    command: string;
    env?: Record<string, string>;
    cwd?: string;
    skipOnExitCode?: number[];
  },
): TaskRef<string> {
  const { command, env = {}, cwd, skipOnExitCode = [99], ...rest } = options;
  return declare({ kind: 'bash', command, env, skipOnExitCode, ...(cwd && { cwd }) }, rest);
}

/** Options of `container()` and `python()` besides the task options. */
interface ContainerOptions {
  /** Extra arguments after the command (templated). */
  args?: string[];
  /** Environment variables of the container (values templated). */
  env?: Record<string, string>;
  /** Fargate vCPU. Default 0.25. */
  cpu?: number;
  /** Command used in local mode when the image cannot run here (no Docker engine). */
  local?: string[];
}

/**
 * Runs a container image with its own pinned dependencies: ECS Fargate in AWS, Docker or the
 * `local` command in local mode. `image` is an `image()` environment or a registry URI. The last
 * line of stdout is the XCom (parsed as JSON when it is JSON), like Airflow's DockerOperator.
 */
export function container<T = JsonValue>(
  options: TaskOptions &
    ContainerOptions & {
      image: ImageEnvironment | string;
      /** Entrypoint override (templated); empty: the image's own. */
      command?: string[];
    },
): TaskRef<T> {
  const { image: declared, command = [], ...rest } = options;
  const environment = typeof declared === 'string' ? image(nameOfUri(declared), { uri: declared }) : declared;
  return declareContainer<T>(environment, { command }, rest);
}

/**
 * Runs a Python script (a path relative to the DAGs folder, shipped in the bundle) in a
 * `pythonEnv()` environment, so each task has exactly its own packages. Its last stdout line is
 * the XCom (JSON when it parses); `UPDRAFT_PARAMS`, `UPDRAFT_CONF` and templated `args`/`env`
 * give it the run's inputs.
 */
export function python<T = JsonValue>(
  options: TaskOptions & ContainerOptions & { environment: PythonEnvironment; script: string },
): TaskRef<T> {
  const { environment, script, ...rest } = options;
  if (
    typeof script !== 'string' ||
    !script.endsWith('.py') ||
    script.startsWith('/') ||
    script.split(/[\\/]/).includes('..')
  )
    throw new DagDefinitionError(
      `script must be a .py path inside the DAGs folder, got ${JSON.stringify(script)}`,
      {
        taskId: options.taskId,
        field: 'script',
        fix: "python({ taskId, environment, script: 'python/report.py' })",
      },
    );
  return declareContainer<T>(environment, { command: [], script: script.replaceAll('\\', '/') }, rest);
}

/**
 * An environment name for an image given by URI: the URI made name-safe, and when that is too
 * long, its start plus a hash of the whole, so two long tags of one repository stay two names.
 */
function nameOfUri(uri: string): string {
  const safe = uri.replace(/[^\w.-]+/g, '-');
  if (safe.length <= 63) return safe;
  // FNV-1a: a stable short digest without importing crypto into DAG bundles.
  let hash = 0x811c9dc5;
  for (let i = 0; i < uri.length; i++) hash = Math.imul(hash ^ uri.charCodeAt(i), 0x01000193) >>> 0;
  return `${safe.slice(0, 54)}-${hash.toString(16).padStart(8, '0')}`;
}

function declareContainer<T>(
  environment: EnvironmentDeclaration,
  how: { command: string[]; script?: string },
  options: TaskOptions & ContainerOptions,
): TaskRef<T> {
  if (!environment || typeof environment !== 'object' || !('kind' in environment))
    throw new DagDefinitionError('needs an environment made with pythonEnv() or image()', {
      taskId: options.taskId,
      field: 'environment',
    });
  const { args = [], env = {}, cpu = 0.25, local, ...rest } = options;
  const operator: OperatorSpec = {
    kind: 'container',
    environment: environment.name,
    command: how.command,
    args,
    env,
    cpu,
    ...(local && { local }),
    ...(how.script && { script: how.script }),
  };
  const ref = declare<T>(operator, { ...rest, executor: 'ecs' });
  ref.builderOf().useEnvironment(environment, ref.taskId);
  return ref;
}

/** Invokes an existing Lambda function (any runtime); its response is the XCom. */
export function lambdaInvoke(
  options: TaskOptions & {
    functionName: string;
    payload?: JsonValue;
    invocationType?: 'RequestResponse' | 'Event';
  },
): TaskRef<JsonValue> {
  const { functionName, payload = {}, invocationType = 'RequestResponse', ...rest } = options;
  return declare({ kind: 'lambda_invoke', functionName, payload, invocationType }, rest);
}

/**
 * Calls an HTTP endpoint (Airflow's HttpOperator). With `httpConnId`, `url` is relative to the
 * connection's base URL (`schema://host:port`) and its login/password are sent as basic auth.
 * Fails on an unexpected status; the response (parsed when JSON) is the XCom.
 */
export function http(
  options: TaskOptions &
    HttpRequestOptions & {
      /** Push the response body as XCom (JSON parsed when the content type is JSON). Default true. */
      responseToXcom?: boolean;
      /** Write the response body to the task log (Airflow's `log_response`). Default false. */
      logResponse?: boolean;
    },
): TaskRef<JsonValue> {
  const { request, rest } = splitRequest(options);
  const { responseToXcom = true, logResponse = false, ...taskOptions } = rest;
  return declare({ kind: 'http', ...request, responseToXcom, logResponse }, taskOptions);
}

/**
 * Triggers a run of another DAG (Airflow's TriggerDagRunOperator), optionally waiting for it.
 * The triggered run id is the XCom (and XCom `trigger_run_id`, as in Airflow).
 */
export function triggerDagRun(
  options: TaskOptions & {
    triggerDagId: string;
    /** Run id of the triggered run (Airflow's `trigger_run_id`). Default `manual__<logical date>`. */
    triggerRunId?: string;
    /** ISO logical date of the triggered run. Default: when it is triggered. */
    logicalDate?: string;
    /** The triggered run's conf, validated against that DAG's params. */
    conf?: Record<string, JsonValue>;
    /** Wait until the triggered run finishes. Default false. */
    waitForCompletion?: boolean;
    /** Seconds between state checks while waiting. Default 60. */
    pokeIntervalSeconds?: number;
    /** Final states that succeed this task. Default ['success']. */
    allowedStates?: DagRunState[];
    /** Final states that fail this task. Default ['failed']. */
    failedStates?: DagRunState[];
  },
): TaskRef<string> {
  const {
    triggerDagId,
    triggerRunId,
    logicalDate,
    conf = {},
    waitForCompletion = false,
    pokeIntervalSeconds = 60,
    allowedStates = ['success'],
    failedStates = ['failed'],
    ...rest
  } = options;
  return declare(
    {
      kind: 'trigger_dag_run',
      triggerDagId,
      conf,
      waitForCompletion,
      pokeIntervalSeconds,
      allowedStates,
      failedStates,
      ...(triggerRunId !== undefined && { triggerRunId }),
      ...(logicalDate !== undefined && { logicalDate }),
    },
    rest,
  );
}
