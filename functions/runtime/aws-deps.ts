import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AthenaQueryEngine } from '../adapters/aws/athena/query-engine';
import { DynamoRunStore } from '../adapters/aws/dynamo/run-store';
import { DynamoXComStore } from '../adapters/aws/dynamo/xcom-store';
import { EcsContainerLauncher } from '../adapters/aws/ecs/ecs-container-launcher';
import { LambdaFunctionInvoker } from '../adapters/aws/lambda/function-invoker';
import { CloudWatchLogSink } from '../adapters/aws/logs/cloudwatch-log-sink';
import { EmfMetrics } from '../adapters/aws/metrics/emf-metrics';
import { AwsNotificationSender } from '../adapters/aws/notifications/notification-sender';
import { S3BlobStore } from '../adapters/aws/s3/blob-store';
import { S3BundleStore } from '../adapters/aws/s3/bundle-store';
import { S3LogSink } from '../adapters/aws/s3/log-sink';
import { S3ObjectStorage } from '../adapters/aws/s3/object-storage';
import { SecretsManagerProvider } from '../adapters/aws/secrets/secret-provider';
import { SqsTaskQueue } from '../adapters/aws/sqs/task-queue';
import { NunjucksTemplateEngine } from '../adapters/shared/nunjucks-engine';
import type { ContainerCompletionDeps } from '../app/complete-container';
import { createDagRunTrigger } from '../app/dag-run-trigger';
import { createRunLookup } from '../app/run-lookup';
import type { WorkerDeps } from '../app/run-task-message';
import type { TickDeps } from '../app/scheduler-tick';
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from '../core/planner/commands';
import type { ContainerExecution } from '../operators/container-operator';
import { createOperatorRunner } from '../operators/registry';
import type { BlobStore } from '../ports/blob-store';
import type { BundleStore } from '../ports/bundle-store';
import type { Clock } from '../ports/clock';
import { noMetrics } from '../ports/metrics';
import type { SecretProvider } from '../ports/secret-provider';
import type { LogReader, LogSink } from '../ports/task-log';
import type { AwsClients } from './aws-clients';
import type { RuntimeConfig } from './config';
import { IsolatedCodeLoader } from './isolation/isolated-code-loader';
import { errorFields, logJson } from './log';

/** The system clock: the only place the AWS runtime reads the time. */
export const systemClock: Clock = { now: () => new Date().toISOString() };

/** Planner limits from the configuration. */
export function limitsFrom(config: RuntimeConfig): PlanLimits {
  return {
    ...DEFAULT_PLAN_LIMITS,
    maxCommands: config.maxCommandsPerTick,
    maxRunsPerDag: config.maxRunsPerDagPerTick,
    maxMapLength: config.maxMapLength,
    zombieAfterSeconds: config.zombieAfterSeconds,
    requeueAfterSeconds: config.requeueAfterSeconds,
  };
}

/** Ports that local mode keeps on disk instead of S3 (the emulator there does not persist). */
export interface PortOverrides {
  bundles?: BundleStore;
  logs?: LogSink & LogReader;
  blobs?: BlobStore;
  /** Connections and variables (local mode: env vars and `.updraft/secrets.json`). */
  secrets?: SecretProvider;
  /**
   * Asks the scheduler for a tick after a task triggers a DAG run (local mode's in-process tick).
   * Unset in the AWS worker: the triggered run starts at the next EventBridge tick.
   */
  kick?: () => Promise<void>;
  /** Create buckets the S3 operators address when missing (emulators only). Default false. */
  createMissingBuckets?: boolean;
  /** Whether athena_query tasks can reach Athena. Default true; local mode has no Athena, so false. */
  athena?: boolean;
  /** Whether lambda_invoke tasks can reach Lambda. Default true; local mode has no Lambda, so false. */
  lambda?: boolean;
  /** How container and Python tasks run; default: ECS Fargate when the deployment configures it. */
  containers?: ContainerExecution;
}

/** ECS Fargate for container tasks when the stack configured a cluster and task definitions. */
export function ecsLauncherFrom(
  config: RuntimeConfig,
  clients: AwsClients,
): EcsContainerLauncher | undefined {
  if (!config.ecsCluster || !config.ecsTaskDefinitions || !config.ecsLogGroup) return undefined;
  const list = (text: string | undefined) => (text ? text.split(',').filter(Boolean) : []);
  return new EcsContainerLauncher(clients.ecs, clients.logs, {
    cluster: config.ecsCluster,
    subnets: list(config.ecsSubnets),
    securityGroups: list(config.ecsSecurityGroups),
    assignPublicIp: config.ecsAssignPublicIp === 'ENABLED',
    taskDefinitions: config.ecsTaskDefinitions,
    containerName: config.ecsContainerName,
    logGroup: config.ecsLogGroup,
    logStreamPrefix: config.ecsLogStreamPrefix,
    ...(config.ecsTaskRoles && { taskRoles: config.ecsTaskRoles }),
    // An hour covers a Fargate task's start (image pull included); the URL reads one file.
    bundleFileUrl: (version, file) =>
      getSignedUrl(
        clients.s3,
        new GetObjectCommand({ Bucket: config.bucket, Key: `bundles/${version}/${file}` }),
        {
          expiresIn: 3600,
        },
      ),
  });
}

/** Every port on AWS services: the composition root of the scheduler, worker and API Lambdas. */
export function createAwsDeps(
  config: RuntimeConfig,
  clients: AwsClients,
  clock: Clock = systemClock,
  overrides: PortOverrides = {},
) {
  const document = DynamoDBDocumentClient.from(clients.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = new DynamoRunStore({ client: document, tableName: config.tableName });
  const queue = new SqsTaskQueue({
    client: clients.sqs,
    queueUrl: config.queueUrl,
    ...(config.workerQueues && { routes: config.workerQueues }),
  });
  const bundles = overrides.bundles ?? new S3BundleStore({ client: clients.s3, bucket: config.bucket });
  const blobs = overrides.blobs ?? new S3BlobStore({ client: clients.s3, bucket: config.bucket });
  const xcom = new DynamoXComStore({
    client: document,
    tableName: config.tableName,
    blobs,
    inlineLimitBytes: config.xcomInlineLimitBytes,
  });
  const logs: LogSink & LogReader =
    overrides.logs ??
    (config.logBackend === 'cloudwatch'
      ? new CloudWatchLogSink({ client: clients.logs, logGroupName: config.logGroup! })
      : new S3LogSink({ client: clients.s3, bucket: config.bucket, clock: () => clock.now() }));
  const limits = limitsFrom(config);
  const metrics = config.metricsNamespace
    ? new EmfMetrics({ namespace: config.metricsNamespace })
    : noMetrics;
  // Callbacks fire where runs and attempts end: in the tick and in the workers.
  const secrets = overrides.secrets ?? new SecretsManagerProvider({ client: clients.secrets, clock });
  const callbacks = {
    templates: new NunjucksTemplateEngine(),
    // Notifier templates may read variables and connections (a webhook URL is a secret).
    secrets,
    notifications: new AwsNotificationSender({ sns: clients.sns }),
    onCallbackError: (message: string) => logJson('warn', 'callback failed', { callback: message }),
  };
  const launcher = overrides.containers ? undefined : ecsLauncherFrom(config, clients);
  const tick: TickDeps = {
    store,
    queue,
    bundles,
    clock,
    limits,
    metrics,
    ...callbacks,
    ...(launcher && {
      containerStopper: {
        stop: (taskArn: string, reason: string) =>
          launcher.stop(taskArn, reason).catch((error: unknown) =>
            logJson('warn', 'could not stop the ECS task of a failed attempt', {
              taskArn,
              ...errorFields(error),
            }),
          ),
      },
    }),
  };
  const containers: ContainerExecution | undefined =
    overrides.containers ?? (launcher && { kind: 'detached', launcher });
  // The scheduler ends container attempts whose ECS task stopped (event, or the tick's check).
  const containerCompletion: ContainerCompletionDeps | undefined = launcher && {
    store,
    bundles,
    xcom,
    logs,
    launcher,
    clock,
    metrics,
    ...callbacks,
  };
  const worker: WorkerDeps = {
    ...tick,
    xcom,
    logs,
    // Each TS task in a worker thread of its own, heap capped at its memory (an OOM is named, not fatal).
    code: new IsolatedCodeLoader(bundles),
    ...callbacks,
    runOperator: createOperatorRunner({
      objectStorage: new S3ObjectStorage({
        client: clients.s3,
        ...(overrides.createMissingBuckets && { createMissingBuckets: true }),
      }),
      dagRuns: createDagRunTrigger({
        store,
        bundles,
        clock,
        ...(overrides.kick && { kick: overrides.kick }),
      }),
      runLookup: createRunLookup(store),
      ...(overrides.athena !== false && { queryEngine: new AthenaQueryEngine({ client: clients.athena }) }),
      ...(overrides.lambda !== false && { functions: new LambdaFunctionInvoker(clients.lambda) }),
      ...(containers && { containers }),
      ...(!containers && {
        missingHint:
          'deploy with containerTasks on (context updraft:containerTasks=true) and DAGs that declare the environment',
      }),
    }),
    heartbeatSeconds: config.heartbeatSeconds,
    secrets,
  };
  return { tick, worker, store, queue, bundles, xcom, logs, containerCompletion };
}
