import { ArnFormat, CfnOutput, Duration, type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../functions/runtime/env-keys';
import { type JwtAuthProps, UpdraftApi } from './api';
import { type AthenaAccessProps, grantAthenaQueries } from './athena-access';
import { readBundleEnvironments } from './bundle-environments';
import { ContainerTasks } from './container-tasks';
import { buildDagBundle, DagBundleDeployment } from './dag-bundle';
import { Monitoring } from './monitoring';
import { acknowledgeWildcardResource } from './nag';
import { UpdraftNetwork } from './network';
import { Scheduler } from './scheduler';
import { BUCKET_PREFIX, UpdraftStorage } from './storage';
import { RunStateTable } from './table';
import { TaskEnvironments } from './task-environments';
import { memoryClasses, TaskQueues } from './task-queue';
import { Worker } from './worker';

/** Secrets Manager names the worker may read (connections and variables, see secret-provider.ts). */
export const SECRETS_PREFIX = 'updraft/';

/** Props of {@link Updraft}; every one has a default, so `new Updraft(this, 'Orchestrator')` deploys. */
export interface UpdraftProps {
  /** Scheduler tick rate. @default Duration.minutes(1) */
  readonly tickRate?: Duration;
  /** Worker timeout: the longest a Lambda task may run. @default Duration.minutes(15) */
  readonly workerTimeout?: Duration;
  /**
   * Worker memory classes in MiB (integers 128–10240, unique): one worker function and one task
   * queue each; a task runs on the smallest class that fits its declared memory.
   * @default [1024, 4096, 10240]
   */
  readonly workerMemoryClasses?: number[];
  /** Task messages per worker invocation. @default 1 */
  readonly workerBatchSize?: number;
  /** Retention of every CloudWatch log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Days S3 keeps task logs (`logs/`). @default 90 */
  readonly taskLogRetentionDays?: number;
  /** Days S3 keeps replaced bundle objects (`bundles/`). @default 30 */
  readonly noncurrentBundleDays?: number;
  /** Removal policy of the bucket and the table. @default RemovalPolicy.RETAIN */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /** JWT authorizer for the API instead of IAM. @default - IAM (SigV4) */
  readonly jwt?: JwtAuthProps;
  /** Email subscribed to the alarm topic. @default - none */
  readonly alarmEmail?: string;
  /** CloudWatch namespace of the runtime's run and task metrics. @default `Updraft/<stack name>` */
  readonly metricsNamespace?: string;
  /** Failed runs in 5 minutes that raise the FailedRuns alarm. @default 1 */
  readonly failedRunsThreshold?: number;
  /**
   * Create the ECS cluster and roles that container tasks run on (Fargate).
   * @default true when the DAGs of `dagsPath` declare environments (container or Python tasks), else false
   */
  readonly containerTasks?: boolean;
  /**
   * The IAM role the container tasks of a DAG run with, by DAG id (least privilege per pipeline:
   * what its containers may read and write). Workers may pass exactly these roles to ECS.
   * @default - every DAG's containers use the shared task role, which has no permissions
   */
  readonly containerTaskRoles?: Readonly<Record<string, iam.IRole>>;
  /** Run functions and Fargate tasks in this VPC's PRIVATE_WITH_EGRESS subnets. @default - no VPC (see createVpc) */
  readonly vpc?: ec2.IVpc;
  /** Create a VPC (2 AZs, 1 NAT, S3/DynamoDB endpoints) for functions and tasks. @default false */
  readonly createVpc?: boolean;
  /**
   * Folder of `*.dag.ts` files built (`updraft dags build`) and uploaded as the current bundle on
   * every deploy; relative to the project root. @default - none: publish with `updraft dags upload`
   */
  readonly dagsPath?: string;
  /** Whether to emit CfnOutputs (API URL, bucket, table, queues…). @default true */
  readonly outputs?: boolean;
  /**
   * SNS topics DAG callbacks may publish to (`snsNotifier`), besides the stack's alarm topic.
   * @default - only the alarm topic
   */
  readonly notificationTopicArns?: string[];
  /**
   * Workgroups and result buckets `athenaQuery` tasks use; the workers get Athena start/get/stop
   * on the workgroups, Glue catalog reads, and read/write on the result buckets.
   * @default - none: athenaQuery tasks fail with AccessDenied
   */
  readonly athena?: AthenaAccessProps;
  /**
   * Functions `lambdaInvoke` tasks may call (names or ARNs, `*` wildcards allowed as IAM allows).
   * @default - none: lambdaInvoke tasks fail with AccessDenied until you list them
   */
  readonly invokableFunctions?: string[];
}

/** A CloudWatch custom-metric namespace: 1–255 of `0-9A-Za-z.-_/#:`, not starting with `AWS/`. */
function metricsNamespace(value: string): string {
  if (Token.isUnresolved(value)) return value;
  if (!/^[0-9A-Za-z.\-_/#:]{1,255}$/.test(value) || value.startsWith('AWS/'))
    throw new Error(
      `Updraft: metricsNamespace must be 1–255 characters of 0-9 A-Z a-z . - _ / # : and not start with AWS/, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** Worker memory classes when none are given, in MiB. */
export const DEFAULT_WORKER_MEMORY_CLASSES = [1024, 4096, 10_240] as const;

/**
 * The whole orchestrator (design §2): bucket, table, task queues + DLQ, scheduler, one worker
 * per memory class, API, alarms, and optionally the ECS cluster of container tasks and a
 * deploy-time DAG bundle. Each function gets only the grants it uses:
 *
 * | function  | table      | queues                   | bucket                                   | other                      |
 * | --------- | ---------- | ------------------------ | ---------------------------------------- | -------------------------- |
 * | scheduler | read/write | send (all)               | read `bundles/`                          | ecs:DescribeTasks (cluster tasks), container log reads |
 * | worker    | read/write | send (all), consume own  | read `bundles/` `xcom/`, put `logs/` `xcom/` | secrets `updraft/*`, ecs:RunTask (task environments), container log reads |
 * | api       | read/write | —                        | read `bundles/` `logs/` `xcom/`          | invoke the scheduler (kick) |
 */
export class Updraft extends Construct {
  /** Bundles, logs and large XComs. */
  readonly storage: UpdraftStorage;
  /** Run state. */
  readonly table: RunStateTable;
  /** Task queue of each memory class and the shared DLQ. */
  readonly queues: TaskQueues;
  /** Scheduler function and tick rule. */
  readonly scheduler: Scheduler;
  /** Worker of each memory class, by MiB. */
  readonly workers: ReadonlyMap<number, Worker>;
  /** HTTP API and api function. */
  readonly api: UpdraftApi;
  /** Alarms and their topic. */
  readonly monitoring: Monitoring;
  /** VPC placement of functions and tasks. */
  readonly network: UpdraftNetwork;
  /** ECS cluster and roles, when `containerTasks` is on. */
  readonly containerTasks?: ContainerTasks;
  /** Task definitions of the bundle's environments, when `dagsPath` declares any (container tasks only). */
  readonly taskEnvironments?: TaskEnvironments;
  /** Deploy-time DAG bundle, when `dagsPath` is set. */
  readonly dagBundle?: DagBundleDeployment;
  /** Namespace of the runtime's metrics. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: UpdraftProps = {}) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const workerTimeout = props.workerTimeout ?? Duration.minutes(15);
    const classes = memoryClasses(
      'Updraft: workerMemoryClasses',
      props.workerMemoryClasses ?? [...DEFAULT_WORKER_MEMORY_CLASSES],
    );
    this.metricsNamespace = metricsNamespace(props.metricsNamespace ?? `Updraft/${Stack.of(this).stackName}`);
    if (props.failedRunsThreshold !== undefined && !(props.failedRunsThreshold >= 1))
      throw new Error(`Updraft: failedRunsThreshold must be at least 1, got ${props.failedRunsThreshold}`);
    this.storage = new UpdraftStorage(this, 'Storage', {
      logRetentionDays: props.taskLogRetentionDays,
      noncurrentBundleDays: props.noncurrentBundleDays,
      removalPolicy: props.dataRemovalPolicy,
    });
    this.table = new RunStateTable(this, 'RunState', { removalPolicy: props.dataRemovalPolicy });
    this.queues = new TaskQueues(this, 'TaskQueue', { memoryClasses: classes, workerTimeout });
    // Built once (cached per folder); the environments it declares are built at deploy time.
    const bundle = props.dagsPath === undefined ? undefined : buildDagBundle(props.dagsPath);
    // DAGs with container or Python tasks need somewhere to run them, unless told otherwise.
    const containerTasks =
      props.containerTasks ?? (bundle !== undefined && readBundleEnvironments(bundle.dir).length > 0);
    this.network = new UpdraftNetwork(this, 'Network', {
      vpc: props.vpc,
      create: props.createVpc,
      containerTasks,
      logRetention,
    });
    const { vpc, taskSubnets } = this.network;
    if (containerTasks && vpc && taskSubnets)
      this.containerTasks = new ContainerTasks(this, 'ContainerTasks', {
        vpc,
        subnets: taskSubnets,
        assignPublicIp: this.network.taskPublicIp,
        logRetention,
      });
    this.taskEnvironments =
      bundle &&
      TaskEnvironments.fromBundle(
        this,
        'TaskEnvironments',
        bundle,
        this.containerTasks,
        props.containerTaskRoles,
      );

    const environment = {
      [ENV.tableName]: this.table.table.tableName,
      [ENV.queueUrl]: this.queues.defaultQueue.queueUrl,
      [ENV.workerQueues]: this.queues.workerQueuesValue(),
      [ENV.bucket]: this.storage.bucket.bucketName,
      [ENV.logBackend]: 's3',
      [ENV.metricsNamespace]: this.metricsNamespace,
    };
    // Scheduler and workers start and watch container tasks; the api never does.
    const runnerEnvironment = {
      ...environment,
      ...this.containerTasks?.environment(),
      ...this.taskEnvironments?.environment(),
    };
    const network = this.network.functions;

    this.scheduler = new Scheduler(this, 'Scheduler', {
      environment: runnerEnvironment,
      logRetention,
      tickRate: props.tickRate,
      network,
    });
    const workers = new Map<number, Worker>();
    for (const mib of classes) {
      workers.set(
        mib,
        new Worker(this, `Worker${mib}`, {
          queue: this.queues.queueFor(mib),
          environment: runnerEnvironment,
          logRetention,
          timeout: workerTimeout,
          memorySize: mib,
          batchSize: props.workerBatchSize,
          network,
        }),
      );
    }
    this.workers = workers;
    this.api = new UpdraftApi(this, 'Api', {
      environment: {
        ...environment,
        [ENV.schedulerFunctionName]: this.scheduler.fn.function.functionName,
      },
      logRetention,
      jwt: props.jwt,
      network,
    });
    this.grantFunctions();
    if (this.containerTasks) {
      this.containerTasks.tickOnTaskStopped(this.scheduler.fn.function);
      this.containerTasks.grantDescribeTasks(this.scheduler.fn.role);
    }
    if (this.taskEnvironments && this.containerTasks) {
      // Workers start container tasks; scheduler and workers read their output once they stop,
      // and stop those whose attempt either of them fails for its execution timeout.
      this.taskEnvironments.grantReadLogs(this.scheduler.fn.role);
      this.containerTasks.grantStopTasks(this.scheduler.fn.role);
      for (const { fn } of this.workers.values()) {
        this.taskEnvironments.grantRun(fn.role);
        this.taskEnvironments.grantReadLogs(fn.role);
        this.containerTasks.grantStopTasks(fn.role);
      }
    }
    if (props.dagsPath !== undefined)
      this.dagBundle = new DagBundleDeployment(this, 'DagBundle', {
        bucket: this.storage.bucket,
        dagsPath: props.dagsPath,
        logRetention,
        built: bundle,
      });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      deadLetterQueue: this.queues.deadLetterQueue,
      httpApi: this.api.httpApi,
      scheduler: this.scheduler.fn.function,
      workers: classes.map((mib) => ({
        memoryMiB: mib,
        fn: this.workerFor(mib).fn.function,
        queue: this.queues.queueFor(mib),
      })),
      api: this.api.fn.function,
      metricsNamespace: this.metricsNamespace,
      failedRunsThreshold: props.failedRunsThreshold,
      alarmEmail: props.alarmEmail,
    });

    // Callbacks (snsNotifier) are fired by workers (task events, runs finished by the
    // mini-scheduler) and by the scheduler (runs it finishes): both may publish, to these topics only.
    const topics = [this.monitoring.topic.topicArn, ...(props.notificationTopicArns ?? [])];
    for (const role of [this.scheduler.fn.role, ...[...this.workers.values()].map((w) => w.fn.role)])
      iam.Grant.addToPrincipal({ grantee: role, actions: ['sns:Publish'], resourceArns: topics });

    const invokable = (props.invokableFunctions ?? []).map((fn) => this.functionArn(fn));
    if (invokable.length > 0)
      for (const { fn } of this.workers.values()) {
        iam.Grant.addToPrincipal({
          grantee: fn.role,
          actions: ['lambda:InvokeFunction'],
          resourceArns: invokable,
        });
        for (const name of (props.invokableFunctions ?? []).filter((n) => n.includes('*')))
          acknowledgeWildcardResource(
            fn.role,
            name.startsWith('arn:')
              ? name
              : `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${name}`,
            `The stack owner listed ${name} in invokableFunctions: lambdaInvoke tasks call the functions matching it, with lambda:InvokeFunction only`,
          );
      }

    const athena = props.athena;
    if (athena) for (const { fn } of this.workers.values()) grantAthenaQueries(this, fn.role, athena);

    if (props.outputs ?? true) this.addOutputs();
  }

  /** A function name or ARN as an ARN in this stack's account and region (an ARN is kept as is). */
  private functionArn(nameOrArn: string): string {
    if (nameOrArn.startsWith('arn:')) return nameOrArn;
    if (!/^[\w*-]{1,140}$/.test(nameOrArn))
      throw new Error(
        `Updraft: invokableFunctions entry ${JSON.stringify(nameOrArn)} is not a function name or ARN`,
      );
    return Stack.of(this).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: nameOrArn,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The worker of one memory class. */
  workerFor(mib: number): Worker {
    const worker = this.workers.get(mib);
    if (!worker) throw new Error(`Updraft: no worker memory class ${mib} MiB`);
    return worker;
  }

  private grantFunctions(): void {
    const scheduler = this.scheduler.fn.role;
    this.table.grantRunState(scheduler);
    this.queues.grantSendTasks(scheduler);
    this.storage.grantReadBundles(scheduler);
    // Run callbacks the tick fires may read variables/connections in their templates (webhook URLs).
    this.grantReadSecrets(scheduler);
    if (this.taskEnvironments) {
      // The scheduler ends container attempts: appends their output to the task log (read, then
      // put: S3 cannot append) and pushes their XCom (large values go to S3).
      this.storage.grantReadPrefix(scheduler, BUCKET_PREFIX.logs);
      this.storage.grantPutPrefix(scheduler, BUCKET_PREFIX.logs);
      this.storage.grantReadPrefix(scheduler, BUCKET_PREFIX.xcom);
      this.storage.grantPutPrefix(scheduler, BUCKET_PREFIX.xcom);
    }

    // Any worker's mini-scheduler may dispatch a downstream task to any class: send to all queues.
    for (const { fn } of this.workers.values()) {
      const worker = fn.role;
      this.table.grantRunState(worker);
      this.queues.grantSendTasks(worker);
      this.storage.grantReadBundles(worker);
      this.storage.grantPutPrefix(worker, BUCKET_PREFIX.logs);
      this.storage.grantReadPrefix(worker, BUCKET_PREFIX.xcom);
      this.storage.grantPutPrefix(worker, BUCKET_PREFIX.xcom);
      this.grantReadSecrets(worker);
    }

    const api = this.api.fn.role;
    this.table.grantRunState(api);
    for (const prefix of Object.values(BUCKET_PREFIX)) this.storage.grantReadPrefix(api, prefix);
    this.scheduler.grantKick(api);
  }

  private addOutputs(): void {
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('ApiUrl', this.api.url, 'Base URL of the REST API (SigV4, service execute-api)');
    output('BucketName', this.storage.bucket.bucketName, 'Bucket of DAG bundles and task logs');
    output('TableName', this.table.table.tableName, 'Run-state table');
    output('QueueUrl', this.queues.defaultQueue.queueUrl, 'Task queue of the smallest worker memory class');
    output(
      'WorkerQueues',
      this.queues.workerQueuesValue(),
      'Task queue of every worker memory class (<MiB>=<queue URL>,…)',
    );
    output('DeadLetterQueueUrl', this.queues.deadLetterQueue.queueUrl, 'Dead-letter queue of task messages');
    output('SchedulerFunctionName', this.scheduler.fn.function.functionName, 'Scheduler function');
    output('MetricsNamespace', this.metricsNamespace, 'CloudWatch namespace of run and task metrics');
    if (this.containerTasks)
      output('EcsClusterArn', this.containerTasks.cluster.clusterArn, 'ECS cluster of container tasks');
    if (this.dagBundle) output('DagBundleVersion', this.dagBundle.version, 'DAG bundle version deployed');
    const stack = Stack.of(this);
    output(
      'DashboardUrl',
      `https://console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
      'CloudWatch dashboard',
    );
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic of the alarms');
  }

  /** Lets the grantee read the Secrets Manager secrets under `updraft/` (and nothing else). */
  grantReadSecrets(grantee: iam.IGrantable): iam.Grant {
    acknowledgeWildcardResource(
      grantee,
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:updraft/*',
      'Connections and variables are user-created secrets named updraft/connections/<id> and updraft/variables/<key>; the updraft/ prefix is the narrowest scope and the action is GetSecretValue only',
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secretsArnPattern()],
    });
  }

  /** The ARN pattern of the `updraft/*` secrets in this stack's account and region. */
  secretsArnPattern(): string {
    return Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${SECRETS_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
