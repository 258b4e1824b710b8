import { containerValue, environmentDetails } from '../core/container-exit';
import { NonRetryableTaskError } from '../core/task-errors';
import type { ContainerLaunch, ContainerLauncher, ContainerRunner } from '../ports/container-runner';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';

/** Where container and Python tasks run: to the end in the attempt (local), or started and left (ECS). */
export type ContainerExecution =
  | { kind: 'inline'; runner: ContainerRunner }
  | { kind: 'detached'; launcher: ContainerLauncher };

/**
 * Runs a container or Python task in its declared environment. The task reads its run's inputs
 * from `UPDRAFT_PARAMS`/`UPDRAFT_CONF` (JSON) and templated args/env; the last stdout line is its
 * XCom, parsed as JSON when it is JSON (Airflow's DockerOperator `do_xcom_push`). A kill for
 * memory ends the attempt `out_of_memory`; any other non-zero exit fails it with the code.
 */
export async function runContainer(
  inv: OperatorInvocation,
  execution: ContainerExecution,
): Promise<OperatorResult> {
  const launch = containerLaunch(inv);
  if (execution.kind === 'detached') {
    const { taskArn, output, memoryMiB } = await execution.launcher.start(launch);
    inv.recordEnvironment?.({
      runtime: 'ecs-fargate',
      taskArn,
      ...(memoryMiB !== undefined && { memoryMiB }),
    });
    inv.context.log.info(
      `started ECS task ${taskArn} (${launch.cpu} vCPU, ${memoryMiB ?? launch.memoryMiB} MiB)`,
    );
    // Its output joins this log when it stops; until then it can be tailed where it streams.
    if (output) inv.context.log.info(`its output streams to ${output} until it stops`);
    return { kind: 'detached', externalJobId: taskArn, reason: `running as ECS task ${taskArn}` };
  }
  let lastLine = '';
  const exit = await execution.runner.run(launch, {
    signal: inv.context.signal,
    onLine: (stream, line) => {
      if (stream === 'stderr') return inv.context.log.warn(line);
      inv.context.log.info(line);
      if (line.trim() !== '') lastLine = line;
    },
  });
  inv.recordEnvironment?.(environmentDetails(exit));
  return { kind: 'done', value: containerValue(inv.task.taskId, launch.memoryMiB, exit, lastLine) };
}

/** The launch request of a container or Python task from its rendered operator. */
function containerLaunch(inv: OperatorInvocation): ContainerLaunch {
  const operator = inv.task.operator;
  if (operator.kind !== 'container') throw new Error('runContainer called for a non-container task');
  if (!inv.environment)
    throw new NonRetryableTaskError(
      `task "${inv.task.taskId}": environment "${operator.environment}" is not in the bundle; rebuild and upload the DAGs`,
    );
  const ctx = inv.context;
  return {
    key: { dagId: ctx.dagId, runId: ctx.runId, taskId: ctx.taskId, mapIndex: ctx.mapIndex },
    tryNumber: ctx.tryNumber,
    bundleVersion: inv.bundleVersion ?? '',
    environment: inv.environment,
    command: operator.command,
    args: operator.args,
    env: {
      ...operator.env,
      // Identity first names the attempt for ECS events; inputs let a script read its run.
      UPDRAFT_DAG_ID: ctx.dagId,
      UPDRAFT_RUN_ID: ctx.runId,
      UPDRAFT_TASK_ID: ctx.taskId,
      UPDRAFT_MAP_INDEX: String(ctx.mapIndex),
      UPDRAFT_TRY_NUMBER: String(ctx.tryNumber),
      UPDRAFT_LOGICAL_DATE: ctx.logicalDate,
      UPDRAFT_PARAMS: JSON.stringify(ctx.params),
      UPDRAFT_CONF: JSON.stringify(ctx.conf),
    },
    cpu: operator.cpu,
    memoryMiB: inv.memoryMiB ?? inv.task.memoryMiB,
    ...(operator.local && { local: operator.local }),
    ...(operator.script !== undefined && { script: operator.script }),
  };
}
