import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionNetwork, UpdraftFunction } from './lambda-function';

/** Longest Lambda timeout. */
const MAX_TIMEOUT_SECONDS = 15 * 60;

/** Props of {@link Worker}. */
export interface WorkerProps {
  /** The task queue it consumes. */
  readonly queue: sqs.IQueue;
  /** Runtime environment (table, queue, bucket, tuning). */
  readonly environment: Record<string, string>;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Function timeout: the longest a Lambda task may run. @default Duration.minutes(15) */
  readonly timeout?: Duration;
  /** Memory in MiB (128–10240). @default 1024 */
  readonly memorySize?: number;
  /**
   * Messages per invocation. The worker runs a batch's tasks concurrently in one sandbox, sharing
   * its memory; 1 keeps a task's declared memory honest. @default 1
   */
  readonly batchSize?: number;
  /** VPC placement. @default - outside any VPC */
  readonly network?: FunctionNetwork;
  /** Concurrent worker invocations the queue may drive. @default - no limit (account concurrency) */
  readonly maxConcurrency?: number;
}

/** A worker Lambda on the task queue, with partial batch responses (`ReportBatchItemFailures`). */
export class Worker extends Construct {
  /** The function wrapper (role, log group). */
  readonly fn: UpdraftFunction;
  /** Its timeout (the queue's visibility timeout is derived from it). */
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.minutes(15);
    const seconds = this.timeout.toSeconds();
    if (seconds < 60 || seconds > MAX_TIMEOUT_SECONDS)
      throw new Error(
        `Worker: timeout must be between 1 and 15 minutes, got ${this.timeout.toHumanString()}`,
      );
    const memorySize = props.memorySize ?? 1024;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240)
      throw new Error(`Worker: memorySize must be an integer from 128 to 10240 MiB, got ${memorySize}`);
    this.fn = new UpdraftFunction(this, 'Handler', {
      entry: 'functions/worker.ts',
      description: `Updraft worker (${memorySize} MiB): runs task attempts from the task queue`,
      environment: props.environment,
      timeout: this.timeout,
      memorySize,
      logRetention: props.logRetention,
      network: props.network,
    });
    this.fn.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize ?? 1,
        reportBatchItemFailures: true,
        ...(props.maxConcurrency !== undefined && { maxConcurrency: props.maxConcurrency }),
      }),
    );
  }
}
