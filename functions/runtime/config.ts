import { z } from 'zod';
import { ENV } from './env-keys';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `1024=https://…,4096=https://…`: one `<MiB>=<queue URL>` pair per worker memory class. */
const workerQueues = z
  .string()
  .transform((text, ctx) => {
    const routes: { memoryMiB: number; queueUrl: string }[] = [];
    for (const pair of text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const match = /^(\d+)=(\S+)$/.exec(pair);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected <MiB>=<queue URL>, got "${pair}"` });
        return z.NEVER;
      }
      routes.push({ memoryMiB: Number(match[1]), queueUrl: match[2]! });
    }
    const sizes = routes.map((r) => r.memoryMiB);
    if (new Set(sizes).size !== sizes.length) {
      ctx.addIssue({ code: 'custom', message: `memory classes repeat: ${sizes.join(', ')}` });
      return z.NEVER;
    }
    return routes.sort((a, b) => a.memoryMiB - b.memoryMiB);
  })
  .optional();

/** Every setting of the AWS runtime, with units and defaults; read once per process. */
/** An optional JSON object of strings (a map the stack serialized into one variable). */
function jsonStringMap(what: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && Object.values(parsed).every((v) => typeof v === 'string'))
          return parsed as Record<string, string>;
      } catch {}
      ctx.addIssue({ code: 'custom', message: `must be a JSON object of ${what}` });
      return z.NEVER;
    });
}

const configSchema = z.object({
  /** DynamoDB single table for runs, task instances, XComs and DAG state. */
  tableName: z.string().min(1),
  /** SQS task queue URL. */
  queueUrl: z.string().min(1),
  /** S3 bucket holding bundles, logs and large XComs. */
  bucket: z.string().min(1),
  /** Where task logs go: `s3` (default) or `cloudwatch`. */
  logBackend: z.enum(['s3', 'cloudwatch']).default('s3'),
  /** CloudWatch log group for task logs when logBackend is `cloudwatch`. */
  logGroup: z.string().optional(),
  /** Endpoint override for every AWS client (emulators in tests and local mode); unset in AWS. */
  awsEndpoint: z.string().url().optional(),
  /** Seconds between heartbeats of a running task. Default 30. */
  heartbeatSeconds: positiveInt(30),
  /** Seconds without heartbeat after which the tick fails a running task as a zombie. Default 300. */
  zombieAfterSeconds: positiveInt(300),
  /** Seconds a task may stay queued unclaimed before the tick re-sends its message. Default 120. */
  requeueAfterSeconds: positiveInt(120),
  /** Commands one tick applies at most; the next tick continues. Default 500. */
  maxCommandsPerTick: positiveInt(500),
  /** Scheduled runs one tick creates per DAG (catchup batches). Default 10. */
  maxRunsPerDagPerTick: positiveInt(10),
  /** A mapped task over more elements fails (Airflow's `max_map_length`). Default 1024. */
  maxMapLength: positiveInt(1024),
  /** Seconds before the Lambda deadline at which a task is stopped and retried. Default 20. */
  lambdaSafetyMarginSeconds: positiveInt(20),
  /** Scheduler function the API invokes (asynchronously) after a trigger or clear; unset: wait for the tick. */
  schedulerFunctionName: z.string().optional(),
  /** Queues of the worker memory classes; unset: one class, `queueUrl`. */
  workerQueues,
  /** CloudWatch namespace of the run and task metrics (EMF); unset: no metrics are written. */
  metricsNamespace: z.string().optional(),
  /** ECS cluster ARN for container tasks (with the subnets, security groups, roles, log group below). */
  ecsCluster: z.string().optional(),
  /** Comma-separated subnet ids container tasks run in. */
  ecsSubnets: z.string().optional(),
  /** Comma-separated security group ids of container tasks. */
  ecsSecurityGroups: z.string().optional(),
  /** `ENABLED` when container tasks run in public subnets (to pull images without NAT). */
  ecsAssignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
  /** Fargate task execution role (image pull, log writing). */
  ecsExecutionRoleArn: z.string().optional(),
  /** Default role of container tasks. */
  ecsTaskRoleArn: z.string().optional(),
  /** CloudWatch log group of container output. */
  ecsLogGroup: z.string().optional(),
  /** JSON object: environment hash → ECS task definition ARN (one per declared environment, built at deploy). */
  ecsTaskDefinitions: jsonStringMap('environment hash → task definition ARN'),
  /** JSON object: DAG id → IAM role ARN its container tasks run with; unset DAGs use the shared task role. */
  ecsTaskRoles: jsonStringMap('DAG id → task role ARN'),
  /** Name of the task container in every task definition. Default `task`. */
  ecsContainerName: z.string().default('task'),
  /** awslogs stream prefix of container output. Default `updraft`. */
  ecsLogStreamPrefix: z.string().default('updraft'),
  /** XCom values up to this many bytes are stored inline in DynamoDB, larger ones in S3. Default 65536. */
  xcomInlineLimitBytes: positiveInt(64 * 1024),
});

/** The validated runtime configuration. */
export type RuntimeConfig = z.infer<typeof configSchema>;

/** Reads and validates the configuration from an environment; names the variable on error. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const raw = Object.fromEntries(Object.entries(ENV).map(([field, name]) => [field, env[name] || undefined]));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0]) as keyof typeof ENV;
      return `${ENV[field] ?? field}: ${issue.message}`;
    });
    throw new Error(`invalid Updraft configuration: ${problems.join('; ')}`);
  }
  if (parsed.data.logBackend === 'cloudwatch' && !parsed.data.logGroup) {
    throw new Error(
      `invalid Updraft configuration: ${ENV.logGroup} is required when ${ENV.logBackend}=cloudwatch`,
    );
  }
  return parsed.data;
}
