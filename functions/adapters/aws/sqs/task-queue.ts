import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { formatKey } from '../../../core/records';
import type { TaskMessage, TaskQueue } from '../../../ports/task-queue';
import { encodeTaskMessage } from './message-codec';

/** SQS limit: entries per SendMessageBatch. */
export const SQS_MAX_BATCH = 10;
/** SQS limit: the longest per-message delay (15 minutes). */
export const SQS_MAX_DELAY_SECONDS = 900;

/** The queue of one worker memory class. */
export interface WorkerQueueRoute {
  memoryMiB: number;
  queueUrl: string;
}

/** Options of `SqsTaskQueue`. */
export interface SqsTaskQueueOptions {
  client: SQSClient;
  /** The queue of messages that name no memory, and of every message when `routes` is empty. */
  queueUrl: string;
  /**
   * One queue per worker memory class: a message goes to the smallest class with at least its
   * `memoryMiB`, or to the largest class when none has enough (that worker then fails the task
   * with the reason). Default: none, every message to `queueUrl`.
   */
  routes?: readonly WorkerQueueRoute[];
  /** Sends of one entry, first included, before it counts as failed (partial batch failures). Default 3. */
  maxEntryAttempts?: number;
  /** Wait before resending failed entries, doubled each round, in milliseconds. Default 100. */
  retryBaseDelayMs?: number;
  /** Batches in flight at once. Default 4. */
  concurrency?: number;
}

/** One message SQS never accepted. */
export interface FailedSend {
  message: TaskMessage;
  /** SQS's error code (`InternalError`, `InvalidMessageContents` …) or the request error's name. */
  code: string;
  /** True when SQS blamed the request itself: resending the same entry cannot help. */
  senderFault: boolean;
  reason: string;
}

/** Some messages were not accepted after retries; `failures` names them (the others were sent). */
export class TaskQueueSendError extends Error {
  override readonly name = 'TaskQueueSendError';
  constructor(
    readonly failures: readonly FailedSend[],
    readonly sent: number,
    options?: ErrorOptions,
  ) {
    const ids = failures.map((f) => `${formatKey(f.message)}#${f.message.tryNumber} (${f.code})`);
    super(`SQS did not accept ${failures.length} task message(s) (${sent} sent): ${ids.join(', ')}`, options);
  }
}

/** The task queue on SQS (standard queue): chunked batches, failed entries resent, failures named. */
export class SqsTaskQueue implements TaskQueue {
  private readonly maxEntryAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly concurrency: number;
  private readonly routes: readonly WorkerQueueRoute[];

  constructor(private readonly options: SqsTaskQueueOptions) {
    this.maxEntryAttempts = options.maxEntryAttempts ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
    this.concurrency = options.concurrency ?? 4;
    this.routes = [...(options.routes ?? [])].sort((a, b) => a.memoryMiB - b.memoryMiB);
  }

  /** The queue URL a message goes to (see `routes`). */
  queueUrlFor(message: TaskMessage): string {
    if (this.routes.length === 0 || message.memoryMiB === undefined) return this.options.queueUrl;
    const fits = this.routes.find((route) => route.memoryMiB >= message.memoryMiB!);
    return (fits ?? this.routes[this.routes.length - 1]!).queueUrl;
  }

  async send(messages: readonly TaskMessage[], options: { delaySeconds?: number } = {}): Promise<void> {
    const delaySeconds = options.delaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_MAX_DELAY_SECONDS) {
      throw new RangeError(
        `delaySeconds must be an integer from 0 to ${SQS_MAX_DELAY_SECONDS} (the SQS limit), got ${delaySeconds}; ` +
          'later starts are the scheduler tick’s job',
      );
    }
    // Batches never mix queues: SendMessageBatch takes one QueueUrl.
    const chunks: Chunk[] = [];
    const open = new Map<string, Chunk>();
    messages.forEach((message, index) => {
      const queueUrl = this.queueUrlFor(message);
      const entry = { Id: `m${index}`, MessageBody: encodeTaskMessage(message), DelaySeconds: delaySeconds };
      const chunk = open.get(queueUrl);
      if (chunk && chunk.entries.length < SQS_MAX_BATCH) chunk.entries.push(entry);
      else {
        const fresh = { queueUrl, entries: [entry] };
        chunks.push(fresh);
        open.set(queueUrl, fresh);
      }
    });
    const failures: FailedSend[] = [];
    let firstCause: unknown;
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const { failed, cause } = await this.sendChunk(chunks[next++]!);
        firstCause ??= cause;
        for (const f of failed) {
          const message = messages[Number(f.Id!.slice(1))]!;
          const code = f.Code ?? 'Unknown';
          failures.push({ message, code, senderFault: f.SenderFault ?? false, reason: f.Message ?? code });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
    if (failures.length > 0) {
      const cause = firstCause === undefined ? {} : { cause: firstCause };
      throw new TaskQueueSendError(failures, messages.length - failures.length, cause);
    }
  }

  /**
   * Sends one batch and resends the entries SQS failed on its side (sender faults are final). A request
   * that throws (after the SDK's own retries) fails the entries still pending, not those already sent.
   */
  private async sendChunk({
    queueUrl,
    entries,
  }: Chunk): Promise<{ failed: BatchResultErrorEntry[]; cause?: unknown }> {
    const final: BatchResultErrorEntry[] = [];
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      let failed: BatchResultErrorEntry[];
      try {
        const output = await this.options.client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
        );
        failed = output.Failed ?? [];
      } catch (cause) {
        const error = cause as Error;
        const lost = pending.map((e) => ({
          Id: e.Id,
          Code: error.name,
          SenderFault: false,
          Message: error.message,
        }));
        return { failed: [...final, ...lost], cause };
      }
      final.push(...failed.filter((f) => f.SenderFault));
      const retryable = failed.filter((f) => !f.SenderFault);
      if (retryable.length === 0 || attempt >= this.maxEntryAttempts)
        return { failed: [...final, ...retryable] };
      const ids = new Set(retryable.map((f) => f.Id));
      pending = pending.filter((e) => ids.has(e.Id));
      await sleep(this.retryBaseDelayMs * 2 ** (attempt - 1));
    }
  }
}

/** Up to 10 entries for one queue. */
interface Chunk {
  queueUrl: string;
  entries: SendMessageBatchRequestEntry[];
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
