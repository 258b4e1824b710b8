import { type AttemptResult, finishAttempt } from '../core/attempt';
import { containerValue, environmentDetails } from '../core/container-exit';
import { SecretMasker } from '../core/masking';
import type { JsonValue } from '../core/model';
import {
  effectiveMemoryMiB,
  formatKey,
  keyOf,
  type TaskEnvironment,
  type TaskInstanceKey,
  type TaskInstanceRecord,
} from '../core/records';
import { TaskState } from '../core/states';
import { RETURN_VALUE_KEY } from '../core/task-context';
import { classifyThrown } from '../core/task-errors';
import { resolveParams } from '../core/validation/params';
import type { BundleStore } from '../ports/bundle-store';
import type { Clock } from '../ports/clock';
import type { ContainerLauncher, StoppedContainer } from '../ports/container-runner';
import type { Metrics } from '../ports/metrics';
import type { RunStore } from '../ports/run-store';
import type { LogSink } from '../ports/task-log';
import type { XComStore } from '../ports/xcom-store';
import { maskedLog, maskingXComStore, registeringSecrets } from './attempt-masking';
import type { CallbackDeps } from './fire-callbacks';
import { type AttemptSummary, recordAttemptEnd } from './record-attempt-end';
import { type RenderArgs, renderTask } from './render-task';

/** How long a started ECS task may read MISSING before its attempt is failed as lost. */
export const MISSING_GRACE_MS = 10 * 60_000;

/** Ports that end container attempts that ran outside the worker (ECS Fargate). */
export interface ContainerCompletionDeps extends CallbackDeps {
  store: RunStore;
  bundles: BundleStore;
  xcom: XComStore;
  logs: LogSink;
  launcher: ContainerLauncher;
  clock: Clock;
  metrics?: Metrics;
}

/**
 * Ends the attempt a stopped ECS task ran (from its state-change event or the tick's
 * DescribeTasks check): copies the container's CloudWatch lines into the task log, pushes the
 * last stdout line as XCom, and records success, failure with the exit code and stopped reason,
 * or `out_of_memory` (with escalation when the task asks for it). An event for an attempt that
 * is no longer running this ECS task (a duplicate, a cleared task) is dropped.
 */
export async function completeContainer(
  deps: ContainerCompletionDeps,
  stopped: StoppedContainer,
): Promise<AttemptSummary> {
  const { key, tryNumber, taskArn } = stopped;
  const where = `${formatKey(key)} try ${tryNumber}`;
  const run = await deps.store.getRun(key.dagId, key.runId);
  const ti = await deps.store.getTaskInstance(key);
  if (!run || !ti) return { kind: 'dropped', reason: `${where}: no such task instance` };
  if (ti.state !== TaskState.Running || ti.tryNumber !== tryNumber || ti.externalJob?.id !== taskArn)
    return {
      kind: 'dropped',
      reason: `${where} is ${ti.state} at try ${ti.tryNumber}, not running ECS task ${taskArn}`,
    };
  const dag = (await deps.bundles.manifest(run.bundleVersion)).dags.find((d) => d.dagId === key.dagId);
  const task = dag?.tasks.find((t) => t.taskId === key.taskId);
  if (!dag || !task) return { kind: 'dropped', reason: `${where}: not in bundle ${run.bundleVersion}` };
  // The worker's masker is gone: render the task again to learn which secrets its fields carried.
  const masker = await secretsOf(deps, { dag, task, run, key, tryNumber });
  const log = maskedLog(await deps.logs.open(key, tryNumber), masker);
  const lines = await deps.launcher.logLines(taskArn);
  log.write('info', `ECS task ${taskArn} stopped; its output (${lines.length} lines) follows`);
  for (const line of lines) log.write('info', line);
  const lastLine = lines.filter((l) => l.trim() !== '').at(-1) ?? '';
  // The worker recorded it at the start; the defaults cover an instance written without one.
  const environment: TaskEnvironment = {
    bundleVersion: run.bundleVersion,
    memoryMiB: effectiveMemoryMiB(task, ti),
    runtime: 'ecs-fargate',
    ...ti.environment,
    taskArn,
  };
  const memoryMiB = environment.memoryMiB;
  Object.assign(environment, environmentDetails(stopped.exit));
  const xcom = maskingXComStore(deps.xcom, masker, { firstTry: tryNumber === 1 });
  const unmasked = await resultOf(xcom, key, () =>
    containerValue(task.taskId, memoryMiB, stopped.exit, lastLine),
  );
  const result = 'reason' in unmasked ? { ...unmasked, reason: masker.mask(unmasked.reason) } : unmasked;
  if (result.kind === 'failed') log.write('error', result.reason);
  // Escalation doubles the memory the task really had (Fargate rounds sizes up), not what it asked.
  const ran = { ...ti, memoryMiB: Math.max(memoryMiB, effectiveMemoryMiB(task, ti)) };
  const patch = { ...finishAttempt(task, ran, result, run.logicalDate, deps.clock.now()), environment };
  return recordAttemptEnd(deps, { dag, run, task, key, tryNumber, patch, log });
}

/** A masker holding the secrets the task's templated fields read (connections, variables). */
async function secretsOf(
  deps: ContainerCompletionDeps,
  args: Omit<RenderArgs, 'params'>,
): Promise<SecretMasker> {
  const masker = new SecretMasker();
  const params = resolveParams(args.dag.params, args.run.conf);
  const secrets = registeringSecrets(deps.secrets, masker);
  const renderDeps = { ...deps, ...(secrets && { secrets }) };
  // A field that fails to render now rendered when the task started; what it read is registered.
  await renderTask(renderDeps, { ...args, params: params.ok ? params.params : {} }).catch(() => undefined);
  return masker;
}

async function resultOf(
  xcomStore: XComStore,
  key: TaskInstanceKey,
  value: () => JsonValue | undefined,
): Promise<AttemptResult> {
  try {
    const xcom = value();
    if (xcom !== undefined && xcom !== null) await xcomStore.push(key, RETURN_VALUE_KEY, xcom);
    return { kind: 'success', xcomLength: Array.isArray(xcom) ? xcom.length : null };
  } catch (error) {
    return classifyThrown(error);
  }
}

/**
 * The tick's fallback for lost ECS events: asks ECS about the tasks of running container
 * attempts and ends those that stopped. Returns how many it ended.
 */
export async function checkRunningContainers(deps: ContainerCompletionDeps): Promise<number> {
  const attempts = new Map<string, TaskInstanceRecord>();
  for (const run of await deps.store.listActiveRuns())
    for (const ti of await deps.store.listTaskInstances(run.dagId, run.runId))
      if (
        ti.state === TaskState.Running &&
        ti.externalJob &&
        ti.externalJob.tryNumber === ti.tryNumber &&
        ti.environment?.taskArn
      )
        attempts.set(ti.externalJob.id, ti);
  if (attempts.size === 0) return 0;
  const arns = [...attempts.keys()];
  let ended = 0;
  // One attempt that cannot be ended (a log read denied) must not stop the others.
  const attempt = async (what: string, end: () => Promise<AttemptSummary>) => {
    try {
      if ((await end()).kind === 'ran') ended++;
    } catch (error) {
      deps.onCallbackError?.(`ending container attempt ${what} failed: ${(error as Error).message}`);
    }
  };
  const { stopped, missing: unknown } = await deps.launcher.check(arns);
  // DescribeTasks is eventually consistent: a task RunTask just started can read MISSING for a while.
  const now = Date.parse(deps.clock.now());
  const missing = unknown.filter((arn) => {
    const since = attempts.get(arn)?.heartbeatAt;
    return since !== undefined && now - Date.parse(since) > MISSING_GRACE_MS;
  });
  for (const found of stopped) await attempt(found.taskArn, () => completeContainer(deps, found));
  for (const taskArn of missing) {
    const key = attempts.get(taskArn)!;
    await attempt(taskArn, () => failMissing(deps, key, taskArn));
  }
  return ended;
}

/** Fails an attempt whose ECS task ECS no longer knows: its event was lost and the task aged out. */
async function failMissing(
  deps: ContainerCompletionDeps,
  instance: TaskInstanceRecord,
  taskArn: string,
): Promise<AttemptSummary> {
  const key = keyOf(instance);
  const run = await deps.store.getRun(key.dagId, key.runId);
  const dag = run && (await deps.bundles.manifest(run.bundleVersion)).dags.find((d) => d.dagId === key.dagId);
  const task = dag?.tasks.find((t) => t.taskId === key.taskId);
  if (!run || !dag || !task) return { kind: 'dropped', reason: `${formatKey(key)}: not in its bundle` };
  const reason = `ECS task ${taskArn} is unknown to ECS: it never started, or stopped longer ago than ECS keeps tasks and its stop event was lost`;
  // Should it still run somewhere after all, it must not run on (and bill) next to a retry.
  await deps.launcher.stop(taskArn, reason).catch(() => undefined);
  const result: AttemptResult = { kind: 'failed', reason, retryable: true };
  const patch = finishAttempt(task, instance, result, run.logicalDate, deps.clock.now());
  const log = await deps.logs.open(key, instance.tryNumber);
  log.write('error', reason);
  return recordAttemptEnd(deps, { dag, run, task, key, tryNumber: instance.tryNumber, patch, log });
}
