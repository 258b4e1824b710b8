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

/** Options of `SqsTaskQueue`. */
export interface SqsTaskQueueOptions {
  client: SQSClient;
  queueUrl: string;
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

  constructor(private readonly options: SqsTaskQueueOptions) {
    this.maxEntryAttempts = options.maxEntryAttempts ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
    this.concurrency = options.concurrency ?? 4;
  }

  async send(messages: readonly TaskMessage[], options: { delaySeconds?: number } = {}): Promise<void> {
    const delaySeconds = options.delaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_MAX_DELAY_SECONDS) {
      throw new RangeError(
        `delaySeconds must be an integer from 0 to ${SQS_MAX_DELAY_SECONDS} (the SQS limit), got ${delaySeconds}; ` +
          'later starts are the scheduler tick’s job',
      );
    }
    const chunks: SendMessageBatchRequestEntry[][] = [];
    messages.forEach((message, index) => {
      const entry = { Id: `m${index}`, MessageBody: encodeTaskMessage(message), DelaySeconds: delaySeconds };
      if (index % SQS_MAX_BATCH === 0) chunks.push([entry]);
      else chunks[chunks.length - 1]!.push(entry);
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
  private async sendChunk(
    entries: SendMessageBatchRequestEntry[],
  ): Promise<{ failed: BatchResultErrorEntry[]; cause?: unknown }> {
    const final: BatchResultErrorEntry[] = [];
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      let failed: BatchResultErrorEntry[];
      try {
        const output = await this.options.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: pending }),
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

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
