import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionNetwork, UpdraftFunction } from './lambda-function';

/** Props of {@link Scheduler}. */
export interface SchedulerProps {
  /** Runtime environment (table, queue, bucket, tuning). */
  readonly environment: Record<string, string>;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Tick rate of the EventBridge rule. @default Duration.minutes(1) */
  readonly tickRate?: Duration;
  /** Function timeout; a tick is bounded (maxCommandsPerTick), so this is generous. @default 60 s */
  readonly timeout?: Duration;
  /** VPC placement. @default - outside any VPC */
  readonly network?: FunctionNetwork;
  /** Memory in MiB. @default 512 */
  readonly memorySize?: number;
}

/**
 * The scheduler Lambda and the EventBridge rate rule that ticks it. Reserved concurrency 1: ticks
 * (and API kicks) run one at a time, so they never pile up or race each other; a tick that
 * finds one running is dropped after `maxEventAge` instead of queueing for hours.
 */
export class Scheduler extends Construct {
  /** The function wrapper (role, log group). */
  readonly fn: UpdraftFunction;
  /** The tick rule. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SchedulerProps) {
    super(scope, id);
    const tickRate = props.tickRate ?? Duration.minutes(1);
    if (tickRate.toSeconds() < 60)
      throw new Error(`Scheduler: tickRate must be at least 1 minute, got ${tickRate.toHumanString()}`);
    this.fn = new UpdraftFunction(this, 'Handler', {
      entry: 'functions/scheduler.ts',
      description: 'Updraft scheduler tick: creates runs, queues ready tasks, repairs and times out',
      environment: props.environment,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 512,
      logRetention: props.logRetention,
      network: props.network,
      reservedConcurrentExecutions: 1,
    });
    // The next tick repairs whatever this one missed: no async retries, and stale events expire.
    this.fn.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, tickRate.toSeconds())),
    });
    this.rule = new events.Rule(this, 'Tick', {
      description: 'Updraft scheduler tick',
      schedule: events.Schedule.rate(tickRate),
      targets: [
        new targets.LambdaFunction(this.fn.function, {
          retryAttempts: 0,
          maxEventAge: Duration.seconds(Math.max(60, tickRate.toSeconds())),
        }),
      ],
    });
  }

  /** Lets the grantee ask for a tick now (async invoke of this function only). */
  grantKick(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [this.fn.function.functionArn],
    });
  }
}
