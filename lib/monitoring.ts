import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The task queue's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The scheduler function. */
  readonly scheduler: lambda.IFunction;
  /** The worker function. */
  readonly worker: lambda.IFunction;
  /** The api function. */
  readonly api: lambda.IFunction;
  /** The task queue. */
  readonly queue: sqs.IQueue;
  /** The HTTP API (for request and error counts). @default - no API widgets */
  readonly httpApi?: apigw.IHttpApi;
  /** Email address subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Scheduler errors in 5 minutes that raise the alarm. @default 2 (one failed tick is repaired by the next) */
  readonly schedulerErrorThreshold?: number;
}

/**
 * A dashboard (queue and DLQ depth, scheduler duration and errors, worker outcomes, API traffic)
 * and alarms on the DLQ depth and on scheduler and worker errors, published to an SNS topic.
 * Run and task outcome metrics need the runtime to emit them (EMF); they are not charted yet.
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
    const workerErrors = new cloudwatch.Alarm(this, 'WorkerErrors', {
      alarmDescription: 'Worker invocations failed (crashes or timeouts, not task failures)',
      metric: props.worker.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = { deadLetters, schedulerErrors, workerErrors };
    for (const alarm of Object.values(this.alarms)) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.dashboard = this.createDashboard(props, fiveMinutes);
  }

  private createDashboard(props: MonitoringProps, period: Duration): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    dashboard.addWidgets(
      graph('Task queue (messages)', [
        props.queue.metricApproximateNumberOfMessagesVisible({ period, label: 'waiting' }),
        props.queue.metricApproximateNumberOfMessagesNotVisible({ period, label: 'in flight' }),
        props.queue.metricApproximateAgeOfOldestMessage({ period, label: 'oldest (s)' }),
      ]),
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
        'Worker',
        [props.worker.metricInvocations({ period, label: 'invocations' })],
        [
          props.worker.metricErrors({ period, label: 'errors' }),
          props.worker.metricThrottles({ period, label: 'throttled' }),
        ],
      ),
      graph('Worker duration', [
        props.worker.metricDuration({ period, statistic: 'p50', label: 'p50' }),
        props.worker.metricDuration({ period, statistic: 'Maximum', label: 'max' }),
      ]),
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
