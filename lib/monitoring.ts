import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** One worker memory class: its function and the queue it consumes. */
export interface MonitoredWorker {
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** The worker function. */
  readonly fn: lambda.IFunction;
  /** Its task queue. */
  readonly queue: sqs.IQueue;
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The dead-letter queue shared by every class's task queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The scheduler function. */
  readonly scheduler: lambda.IFunction;
  /** The worker of each memory class, ascending. */
  readonly workers: readonly MonitoredWorker[];
  /** The api function. */
  readonly api: lambda.IFunction;
  /** CloudWatch namespace of the runtime's EMF metrics (RunsFinished, TaskAttempts, DispatchLatency). */
  readonly metricsNamespace: string;
  /** Failed runs in 5 minutes that raise the alarm. @default 1 */
  readonly failedRunsThreshold?: number;
  /** The HTTP API (for request and error counts). @default - no API widgets */
  readonly httpApi?: apigw.IHttpApi;
  /** Email address subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Scheduler errors in 5 minutes that raise the alarm. @default 2 (one failed tick is repaired by the next) */
  readonly schedulerErrorThreshold?: number;
}

/** Metric names the runtime emits (EMF) in the metrics namespace. */
export const RUNTIME_METRICS = {
  /** Count; dimension `State` = `success` | `failed`. */
  runsFinished: 'RunsFinished',
  /** Count; dimension `Outcome` = a task attempt's final state (see `TASK_OUTCOMES`). */
  taskAttempts: 'TaskAttempts',
  /** Milliseconds from `queued` to claimed by a worker; no dimensions. */
  dispatchLatency: 'DispatchLatency',
  /** Count of task instances that missed their `sla`; no dimensions. */
  slaMisses: 'SlaMisses',
} as const;

/** Values of the `Outcome` dimension of `TaskAttempts`. */
export const TASK_OUTCOMES = [
  'success',
  'failed',
  'up_for_retry',
  'skipped',
  'up_for_reschedule',
  'out_of_memory',
] as const;

/**
 * A dashboard (runs, task attempts, dispatch latency, queue and DLQ depth, scheduler, workers,
 * API traffic) and alarms on failed runs, the DLQ depth and scheduler and worker errors,
 * published to an SNS topic.
 */
export class Monitoring extends Construct {
  /** The topic alarms publish to (subscribe your pager here). */
  readonly topic: sns.Topic;
  /** The operations dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by purpose. */
  readonly alarms: {
    deadLetters: cloudwatch.Alarm;
    schedulerErrors: cloudwatch.Alarm;
    workerErrors: cloudwatch.Alarm;
    failedRuns: cloudwatch.Alarm;
    slaMisses: cloudwatch.Alarm;
  };

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Updraft alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const fiveMinutes = Duration.minutes(5);
    const deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'Task messages reached the DLQ: an infrastructure error repeated 3 times',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const schedulerErrors = new cloudwatch.Alarm(this, 'SchedulerErrors', {
      alarmDescription: 'The scheduler tick failed repeatedly: no runs are created or repaired',
      metric: props.scheduler.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: props.schedulerErrorThreshold ?? 2,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.workers.length === 0) throw new Error('Monitoring: workers must not be empty');
    const workerErrors = new cloudwatch.Alarm(this, 'WorkerErrors', {
      alarmDescription:
        'Worker invocations failed (crashes or timeouts, not task failures), any memory class',
      metric: this.sumOverWorkers(
        props.workers,
        'errors',
        (fn) => fn.metricErrors(),
        'worker errors',
        fiveMinutes,
      ),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const failedRuns = new cloudwatch.Alarm(this, 'FailedRuns', {
      alarmDescription: 'DAG runs finished in state failed',
      metric: this.runtimeMetric(props, RUNTIME_METRICS.runsFinished, { State: 'failed' }, fiveMinutes),
      threshold: props.failedRunsThreshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const slaMisses = new cloudwatch.Alarm(this, 'SlaMisses', {
      alarmDescription:
        'Task instances missed their SLA (sla option; the DAG onSlaMiss notifiers have the details)',
      metric: this.runtimeMetric(props, RUNTIME_METRICS.slaMisses, {}, fiveMinutes),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = { deadLetters, schedulerErrors, workerErrors, failedRuns, slaMisses };
    for (const alarm of Object.values(this.alarms)) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.dashboard = this.createDashboard(props, fiveMinutes);
  }

  /** A Sum of one of the runtime's EMF metrics. */
  private runtimeMetric(
    props: MonitoringProps,
    metricName: string,
    dimensionsMap: Record<string, string>,
    period: Duration,
    label?: string,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: props.metricsNamespace,
      metricName,
      dimensionsMap,
      statistic: 'Sum',
      period,
      ...(label !== undefined && { label }),
    });
  }

  /** One series summing a Lambda metric over every worker class (ids `<idPrefix><MiB>`). */
  private sumOverWorkers(
    workers: readonly MonitoredWorker[],
    idPrefix: string,
    metric: (fn: lambda.IFunction) => cloudwatch.Metric,
    label: string,
    period: Duration,
  ): cloudwatch.IMetric {
    const usingMetrics = Object.fromEntries(
      workers.map((w) => [`${idPrefix}${w.memoryMiB}`, metric(w.fn).with({ statistic: 'Sum', period })]),
    );
    return new cloudwatch.MathExpression({
      expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
      usingMetrics,
      label,
      period,
    });
  }

  private createDashboard(props: MonitoringProps, period: Duration): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    const latency = (statistic: string) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: RUNTIME_METRICS.dispatchLatency,
        statistic,
        period,
        unit: cloudwatch.Unit.MILLISECONDS,
        label: statistic === 'Maximum' ? 'max' : statistic,
      });
    dashboard.addWidgets(
      graph(
        'Runs finished',
        ['success', 'failed'].map((state) =>
          this.runtimeMetric(props, RUNTIME_METRICS.runsFinished, { State: state }, period, state),
        ),
      ),
      graph(
        'Task attempts by outcome',
        TASK_OUTCOMES.map((outcome) =>
          this.runtimeMetric(props, RUNTIME_METRICS.taskAttempts, { Outcome: outcome }, period, outcome),
        ),
      ),
      graph(
        'Dispatch latency (queued → claimed, ms) and SLA misses',
        ['p50', 'p90', 'Maximum'].map(latency),
        [this.runtimeMetric(props, RUNTIME_METRICS.slaMisses, {}, period, 'SLA misses')],
      ),
    );
    const byClass = (metric: (w: MonitoredWorker) => cloudwatch.Metric) =>
      props.workers.map((w) => metric(w).with({ period, label: `${w.memoryMiB} MiB` }));
    dashboard.addWidgets(
      graph(
        'Task queues (messages waiting, per class)',
        byClass((w) => w.queue.metricApproximateNumberOfMessagesVisible()),
        byClass((w) => w.queue.metricApproximateAgeOfOldestMessage()).map((m) =>
          m.with({ label: `${m.label} oldest (s)` }),
        ),
      ),
      graph('Dead-letter queue', [this.alarms.deadLetters.metric]),
      graph(
        'Scheduler tick',
        [
          props.scheduler.metricDuration({ period, statistic: 'p50', label: 'duration p50' }),
          props.scheduler.metricDuration({ period, statistic: 'Maximum', label: 'duration max' }),
        ],
        [
          props.scheduler.metricErrors({ period, label: 'errors' }),
          props.scheduler.metricThrottles({ period, label: 'throttled' }),
        ],
      ),
    );
    dashboard.addWidgets(
      graph(
        'Worker invocations (per class)',
        byClass((w) => w.fn.metricInvocations({ statistic: 'Sum' })),
        [
          this.sumOverWorkers(props.workers, 'errors', (fn) => fn.metricErrors(), 'errors', period),
          this.sumOverWorkers(props.workers, 'throttles', (fn) => fn.metricThrottles(), 'throttled', period),
        ],
      ),
      graph(
        'Worker duration max (per class)',
        byClass((w) => w.fn.metricDuration({ statistic: 'Maximum' })),
      ),
      graph(
        'API',
        props.httpApi
          ? [props.httpApi.metricCount({ period, label: 'requests' })]
          : [props.api.metricInvocations({ period })],
        props.httpApi
          ? [
              props.httpApi.metricClientError({ period, label: '4xx' }),
              props.httpApi.metricServerError({ period, label: '5xx' }),
            ]
          : [props.api.metricErrors({ period })],
      ),
    );
    return dashboard;
  }
}
