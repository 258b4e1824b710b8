import { z } from 'zod';
import type { TaskInstanceKey } from '../../../core/records';
import type { ContainerExit, StoppedContainer } from '../../../ports/container-runner';

/** The `runtime` recorded for attempts that ran on ECS Fargate. */
export const ECS_FARGATE_RUNTIME = 'ecs-fargate';

/** Environment variables that name the attempt a container runs (set by the caller of `start`). */
export const IDENTITY_VARIABLES = {
  dagId: 'UPDRAFT_DAG_ID',
  runId: 'UPDRAFT_RUN_ID',
  taskId: 'UPDRAFT_TASK_ID',
  mapIndex: 'UPDRAFT_MAP_INDEX',
  tryNumber: 'UPDRAFT_TRY_NUMBER',
} as const;

/**
 * The fields of an ECS task this module reads: the SDK's `Task` (DescribeTasks) and the `detail` of
 * an EventBridge `ECS Task State Change` event (same names, timestamps as ISO strings) both fit.
 */
export interface EcsTaskLike {
  taskArn?: string | undefined;
  lastStatus?: string | undefined;
  stopCode?: string | undefined;
  stoppedReason?: string | undefined;
  stoppedAt?: Date | string | undefined;
  overrides?:
    | {
        containerOverrides?:
          | { name?: string | undefined; environment?: { name?: string; value?: string }[] | undefined }[]
          | undefined;
      }
    | undefined;
  containers?:
    | {
        name?: string | undefined;
        exitCode?: number | undefined;
        reason?: string | undefined;
        image?: string | undefined;
        imageDigest?: string | undefined;
      }[]
    | undefined;
}

const OUT_OF_MEMORY = /OutOfMemoryError/i;
const MEMORY_MENTION = /memory/i;
/** SIGKILL's exit status: the kernel's OOM killer, or a stop that outlived the grace period. */
const KILLED = 137;

/**
 * The attempt a stopped Updraft task ran and how its container ended; undefined while the task is
 * not STOPPED, or when its overrides lack the `UPDRAFT_*` identity (a task Updraft did not start).
 */
export function stoppedContainerOf(task: EcsTaskLike, containerName: string): StoppedContainer | undefined {
  if (task.lastStatus !== 'STOPPED' || !task.taskArn) return undefined;
  const override = task.overrides?.containerOverrides?.find((entry) => entry.name === containerName);
  const identity = identityOf(override?.environment ?? []);
  if (!identity) return undefined;
  const container = task.containers?.find((entry) => entry.name === containerName);
  const neverStarted = task.stopCode === 'TaskFailedToStart';
  const exitCode = neverStarted ? null : (container?.exitCode ?? null);
  const reasons = [task.stoppedReason, container?.reason].filter((reason): reason is string => !!reason);
  const outOfMemory =
    OUT_OF_MEMORY.test(container?.reason ?? '') ||
    (exitCode === KILLED && reasons.some((reason) => MEMORY_MENTION.test(reason)));
  const exit: ContainerExit = {
    exitCode,
    outOfMemory,
    runtime: ECS_FARGATE_RUNTIME,
    ...(reasons.length > 0 && { stoppedReason: joinReasons(reasons) }),
    ...(container?.image && { image: container.image }),
    ...(container?.imageDigest && { imageDigest: container.imageDigest }),
  };
  const stoppedAt = isoOf(task.stoppedAt);
  return {
    taskArn: task.taskArn,
    key: identity.key,
    tryNumber: identity.tryNumber,
    exit,
    ...(stoppedAt && { stoppedAt }),
  };
}

const eventSchema = z.object({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Task State Change'),
  detail: z.object({
    taskArn: z.string().min(1),
    lastStatus: z.string(),
    stopCode: z.string().optional(),
    stoppedReason: z.string().optional(),
    stoppedAt: z.string().optional(),
    overrides: z
      .object({
        containerOverrides: z
          .array(
            z.object({
              name: z.string().optional(),
              environment: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
            }),
          )
          .optional(),
      })
      .optional(),
    containers: z
      .array(
        z.object({
          name: z.string().optional(),
          exitCode: z.number().int().optional(),
          reason: z.string().optional(),
          image: z.string().optional(),
          imageDigest: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

/**
 * `stoppedContainerOf` for an EventBridge `ECS Task State Change` event (`source: aws.ecs`);
 * undefined for any other event, a malformed one, or one that is not a stopped Updraft task.
 */
export function parseTaskStateChangeEvent(
  event: unknown,
  containerName: string,
): StoppedContainer | undefined {
  const parsed = eventSchema.safeParse(event);
  return parsed.success ? stoppedContainerOf(parsed.data.detail, containerName) : undefined;
}

function identityOf(
  environment: { name?: string | undefined; value?: string | undefined }[],
): { key: TaskInstanceKey; tryNumber: number } | undefined {
  const variables = new Map(environment.map((entry) => [entry.name, entry.value]));
  const dagId = variables.get(IDENTITY_VARIABLES.dagId);
  const runId = variables.get(IDENTITY_VARIABLES.runId);
  const taskId = variables.get(IDENTITY_VARIABLES.taskId);
  const mapIndex = integerOf(variables.get(IDENTITY_VARIABLES.mapIndex));
  const tryNumber = integerOf(variables.get(IDENTITY_VARIABLES.tryNumber));
  if (!dagId || !runId || !taskId || mapIndex === undefined || mapIndex < -1) return undefined;
  if (tryNumber === undefined || tryNumber < 1) return undefined;
  return { key: { dagId, runId, taskId, mapIndex }, tryNumber };
}

function integerOf(value: string | undefined): number | undefined {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

/** The task's reason, then the container's when it adds something (`OutOfMemoryError: …`). */
function joinReasons(reasons: string[]): string {
  const [first, ...rest] = reasons;
  const extra = rest.filter((reason) => !first!.includes(reason));
  return extra.length > 0 ? `${first} (${extra.join('; ')})` : first!;
}

function isoOf(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
}
