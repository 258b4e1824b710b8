import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Longest visibility timeout SQS accepts. */
const MAX_VISIBILITY = Duration.hours(12);

/** Props of {@link TaskQueue}. */
export interface TaskQueueProps {
  /** Timeout of the worker that consumes the queue; the visibility timeout is derived from it. */
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

/** The SQS task queue and its dead-letter queue: SQS-managed SSE, TLS only, redrive after 3 receives. */
export class TaskQueue extends Construct {
  /** The task queue (scheduler and workers send, workers consume). */
  readonly queue: sqs.Queue;
  /** Messages that failed `maxReceiveCount` times. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskQueueProps) {
    super(scope, id);
    const factor = props.visibilityTimeoutFactor ?? 6;
    if (!(factor >= 1)) throw new Error(`TaskQueue: visibilityTimeoutFactor must be ≥ 1, got ${factor}`);
    const derived = Math.ceil(props.workerTimeout.toSeconds() * factor);
    const visibilityTimeout = Duration.seconds(Math.min(derived, MAX_VISIBILITY.toSeconds()));
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });
  }

  /** Lets the grantee send task messages (SendMessage/SendMessageBatch share one IAM action). */
  grantSendTasks(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }
}
