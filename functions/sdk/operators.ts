import type { JsonValue, OperatorSpec } from '../core/model';
import { currentBuilder } from './builder';
import type { TaskOptions } from './options';
import { TaskRef } from './refs';

/** Adds a declarative operator task to the DAG being defined (Airflow's classic operators). */
function declare<T>(operator: OperatorSpec, options: TaskOptions): TaskRef<T> {
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

/** Runs a container image with its own pinned dependencies (ECS Fargate; a local process in local mode). */
export function container(
  options: TaskOptions & {
    image: string;
    command?: string[];
    args?: string[];
    env?: Record<string, string>;
    /** Fargate vCPU. Default 0.25. */
    cpu?: number;
    /** Command used in local mode when the image cannot run here. */
    local?: string[];
  },
): TaskRef<JsonValue> {
  const { image, command = [], args = [], env = {}, cpu = 0.25, local, ...rest } = options;
  return declare(
    { kind: 'container', image, command, args, env, cpu, ...(local && { local }) },
    { executor: 'ecs', ...rest },
  );
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

/** Calls an HTTP endpoint (Airflow's HttpOperator); fails on an unexpected status. */
export function http(
  options: TaskOptions & {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    expectedStatus?: number[];
    responseToXcom?: boolean;
  },
): TaskRef<JsonValue> {
  const {
    url,
    method = 'GET',
    headers = {},
    body,
    expectedStatus = [200],
    responseToXcom = true,
    ...rest
  } = options;
  return declare(
    {
      kind: 'http',
      url,
      method,
      headers,
      expectedStatus,
      responseToXcom,
      ...(body !== undefined && { body }),
    },
    rest,
  );
}

/** Triggers a run of another DAG (Airflow's TriggerDagRunOperator), optionally waiting for it. */
export function triggerDagRun(
  options: TaskOptions & {
    triggerDagId: string;
    conf?: Record<string, JsonValue>;
    waitForCompletion?: boolean;
    pokeIntervalSeconds?: number;
  },
): TaskRef<string> {
  const { triggerDagId, conf = {}, waitForCompletion = false, pokeIntervalSeconds = 60, ...rest } = options;
  return declare(
    { kind: 'trigger_dag_run', triggerDagId, conf, waitForCompletion, pokeIntervalSeconds },
    rest,
  );
}
