import { ArnFormat, CfnOutput, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../functions/runtime/env-keys';
import { type JwtAuthProps, UpdraftApi } from './api';
import { Monitoring } from './monitoring';
import { acknowledgeWildcardResource } from './nag';
import { Scheduler } from './scheduler';
import { BUCKET_PREFIX, UpdraftStorage } from './storage';
import { RunStateTable } from './table';
import { TaskQueue } from './task-queue';
import { Worker } from './worker';

/** Secrets Manager names the worker may read (connections and variables, see secret-provider.ts). */
export const SECRETS_PREFIX = 'updraft/';

/** Props of {@link Updraft}; every one has a default, so `new Updraft(this, 'Orchestrator')` deploys. */
export interface UpdraftProps {
  /** Scheduler tick rate. @default Duration.minutes(1) */
  readonly tickRate?: Duration;
  /** Worker timeout: the longest a Lambda task may run. @default Duration.minutes(15) */
  readonly workerTimeout?: Duration;
  /** Worker memory in MiB. @default 1024 */
  readonly workerMemorySize?: number;
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
  /** Whether to emit CfnOutputs (API URL, bucket, table, queue…). @default true */
  readonly outputs?: boolean;
}

/**
 * The whole orchestrator (design §2): bucket, table, task queue + DLQ, scheduler, worker, API,
 * alarms. Each function gets only the grants it uses:
 *
 * | function  | table      | queue       | bucket                                   | other                      |
 * | --------- | ---------- | ----------- | ---------------------------------------- | -------------------------- |
 * | scheduler | read/write | send        | read `bundles/`                          |                            |
 * | worker    | read/write | send (+SQS) | read `bundles/` `xcom/`, put `logs/` `xcom/` | secrets `updraft/*` |
 * | api       | read/write | —           | read `bundles/` `logs/` `xcom/`          | invoke the scheduler (kick) |
 */
export class Updraft extends Construct {
  /** Bundles, logs and large XComs. */
  readonly storage: UpdraftStorage;
  /** Run state. */
  readonly table: RunStateTable;
  /** Task queue and DLQ. */
  readonly queue: TaskQueue;
  /** Scheduler function and tick rule. */
  readonly scheduler: Scheduler;
  /** Worker function. */
  readonly worker: Worker;
  /** HTTP API and api function. */
  readonly api: UpdraftApi;
  /** Alarms and their topic. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: UpdraftProps = {}) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const workerTimeout = props.workerTimeout ?? Duration.minutes(15);
    this.storage = new UpdraftStorage(this, 'Storage', {
      logRetentionDays: props.taskLogRetentionDays,
      noncurrentBundleDays: props.noncurrentBundleDays,
      removalPolicy: props.dataRemovalPolicy,
    });
    this.table = new RunStateTable(this, 'RunState', { removalPolicy: props.dataRemovalPolicy });
    this.queue = new TaskQueue(this, 'TaskQueue', { workerTimeout });
    const environment = {
      [ENV.tableName]: this.table.table.tableName,
      [ENV.queueUrl]: this.queue.queue.queueUrl,
      [ENV.bucket]: this.storage.bucket.bucketName,
      [ENV.logBackend]: 's3',
    };

    this.scheduler = new Scheduler(this, 'Scheduler', {
      environment,
      logRetention,
      tickRate: props.tickRate,
    });
    this.worker = new Worker(this, 'Worker', {
      queue: this.queue.queue,
      environment,
      logRetention,
      timeout: workerTimeout,
      memorySize: props.workerMemorySize,
      batchSize: props.workerBatchSize,
    });
    this.api = new UpdraftApi(this, 'Api', {
      environment: {
        ...environment,
        [ENV.schedulerFunctionName]: this.scheduler.fn.function.functionName,
      },
      logRetention,
      jwt: props.jwt,
    });

    const scheduler = this.scheduler.fn.role;
    this.table.grantRunState(scheduler);
    this.queue.grantSendTasks(scheduler);
    this.storage.grantReadBundles(scheduler);

    const worker = this.worker.fn.role;
    this.table.grantRunState(worker);
    this.queue.grantSendTasks(worker);
    this.storage.grantReadBundles(worker);
    this.storage.grantPutPrefix(worker, BUCKET_PREFIX.logs);
    this.storage.grantReadPrefix(worker, BUCKET_PREFIX.xcom);
    this.storage.grantPutPrefix(worker, BUCKET_PREFIX.xcom);
    this.grantReadSecrets(worker);

    const api = this.api.fn.role;
    this.table.grantRunState(api);
    for (const prefix of Object.values(BUCKET_PREFIX)) this.storage.grantReadPrefix(api, prefix);
    this.scheduler.grantKick(api);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      deadLetterQueue: this.queue.deadLetterQueue,
      queue: this.queue.queue,
      httpApi: this.api.httpApi,
      scheduler: this.scheduler.fn.function,
      worker: this.worker.fn.function,
      api: this.api.fn.function,
      alarmEmail: props.alarmEmail,
    });

    if (props.outputs ?? true) {
      const output = (name: string, value: string, description: string) =>
        new CfnOutput(this, name, { value, description });
      output('ApiUrl', this.api.url, 'Base URL of the REST API (SigV4, service execute-api)');
      output('BucketName', this.storage.bucket.bucketName, 'Bucket of DAG bundles and task logs');
      output('TableName', this.table.table.tableName, 'Run-state table');
      output('QueueUrl', this.queue.queue.queueUrl, 'Task queue');
      output('DeadLetterQueueUrl', this.queue.deadLetterQueue.queueUrl, 'Dead-letter queue of task messages');
      output('SchedulerFunctionName', this.scheduler.fn.function.functionName, 'Scheduler function');
      const stack = Stack.of(this);
      output(
        'DashboardUrl',
        `https://console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
        'CloudWatch dashboard',
      );
      output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic of the alarms');
    }
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
