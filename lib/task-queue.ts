import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Longest visibility timeout SQS accepts. */
const MAX_VISIBILITY = Duration.hours(12);

/** Props of {@link TaskQueues}. */
export interface TaskQueuesProps {
  /** Worker memory classes in MiB, ascending and unique (see `memoryClasses()`): one queue each. */
  readonly memoryClasses: readonly number[];
  /** Timeout of the workers that consume the queues; the visibility timeout is derived from it. */
  readonly workerTimeout: Duration;
  /**
   * Visibility timeout = `visibilityTimeoutFactor` × worker timeout (capped at 12 h). AWS advises
   * at least 6 for Lambda event sources, so a batch retried after throttling is not redelivered
   * while it still runs. @default 6
   */
  readonly visibilityTimeoutFactor?: number;
  /** Receives before a message moves to the DLQ. @default 3 */
  readonly maxReceiveCount?: number;
  /** How long the DLQ keeps messages. @default 14 days */
  readonly deadLetterRetention?: Duration;
}

/**
 * One SQS task queue per worker memory class and the dead-letter queue they share: SQS-managed
 * SSE, TLS only, redrive after 3 receives. One DLQ, so one alarm and one place to look.
 */
export class TaskQueues extends Construct {
  /** Memory classes in MiB, ascending. */
  readonly memoryClasses: readonly number[];
  /** Task queue of each memory class (scheduler and workers send, that class's worker consumes). */
  readonly queues: ReadonlyMap<number, sqs.Queue>;
  /** Messages that failed `maxReceiveCount` times, from any class. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskQueuesProps) {
    super(scope, id);
    this.memoryClasses = memoryClasses('memoryClasses', props.memoryClasses);
    const factor = props.visibilityTimeoutFactor ?? 6;
    if (!(factor >= 1)) throw new Error(`TaskQueues: visibilityTimeoutFactor must be ≥ 1, got ${factor}`);
    const derived = Math.ceil(props.workerTimeout.toSeconds() * factor);
    const visibilityTimeout = Duration.seconds(Math.min(derived, MAX_VISIBILITY.toSeconds()));
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    const queues = new Map<number, sqs.Queue>();
    for (const mib of this.memoryClasses) {
      // Id `<mib>MiB` under `TaskQueue`: logical ids read `…TaskQueue1024MiB…` (no prefix of
      // `…TaskQueue10240MiB…`) and stay stable when a class is added or removed.
      queues.set(
        mib,
        new sqs.Queue(this, `${mib}MiB`, {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          visibilityTimeout,
          deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
        }),
      );
    }
    this.queues = queues;
  }

  /** The queue of one memory class. */
  queueFor(mib: number): sqs.Queue {
    const queue = this.queues.get(mib);
    if (!queue)
      throw new Error(`TaskQueues: no memory class ${mib} MiB (have ${this.memoryClasses.join(', ')})`);
    return queue;
  }

  /** The queue of the smallest class (the runtime's default queue, `UPDRAFT_QUEUE_URL`). */
  get defaultQueue(): sqs.Queue {
    return this.queueFor(this.memoryClasses[0]!);
  }

  /**
   * `UPDRAFT_WORKER_QUEUES`: `<MiB>=<queueUrl>` pairs for every class, ascending, comma-separated
   * (`1024=https://sqs…/a,4096=https://sqs…/b`); the URLs are tokens CloudFormation resolves.
   */
  workerQueuesValue(): string {
    return this.memoryClasses.map((mib) => `${mib}=${this.queueFor(mib).queueUrl}`).join(',');
  }

  /**
   * Lets the grantee send task messages to every class's queue (SendMessage/SendMessageBatch
   * share one IAM action): a task's class is chosen per task, by whoever dispatches it.
   */
  grantSendTasks(grantee: iam.IGrantable): void {
    for (const queue of this.queues.values()) queue.grantSendMessages(grantee);
  }
}

/** Smallest and largest memory a Lambda function can have, in MiB. */
export const LAMBDA_MEMORY = { min: 128, max: 10_240 } as const;

/**
 * Validates worker memory classes (integers from 128 to 10240 MiB, unique, at least one) and
 * returns them ascending; the error names `name` and shows the value.
 */
export function memoryClasses(name: string, values: readonly number[]): number[] {
  const shown = JSON.stringify(values);
  if (values.length === 0) throw new Error(`${name} must name at least one memory class, got ${shown}`);
  for (const mib of values) {
    if (!Number.isInteger(mib) || mib < LAMBDA_MEMORY.min || mib > LAMBDA_MEMORY.max)
      throw new Error(
        `${name} must hold integers from ${LAMBDA_MEMORY.min} to ${LAMBDA_MEMORY.max} MiB, got ${mib} in ${shown}`,
      );
  }
  if (new Set(values).size !== values.length)
    throw new Error(`${name} must not repeat a memory class, got ${shown}`);
  return [...values].sort((a, b) => a - b);
}
