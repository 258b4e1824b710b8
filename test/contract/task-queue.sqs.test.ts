import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { attachRequestCounter, RequestCounter } from '../../functions/adapters/aws/request-counter';
import { decodeTaskMessage } from '../../functions/adapters/aws/sqs/message-codec';
import { SqsTaskQueue, TaskQueueSendError } from '../../functions/adapters/aws/sqs/task-queue';
import type { TaskMessage } from '../../functions/ports/task-queue';
import { createTestQueue, fauxqsSqsClient } from '../helpers/fauxqs';
import { type TaskQueueFixture, taskMessages, taskQueueContract } from './task-queue.contract';

async function drainQueue(client: SQSClient, queueUrl: string, expected: number, waitMs = 2000) {
  const received: TaskMessage[] = [];
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const m of Messages) {
      received.push(decodeTaskMessage(m.Body!));
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
    if (Messages.length > 0) continue;
    if (received.length >= expected || Date.now() >= deadline) return received;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function sqsFixture(options: { maxEntryAttempts?: number } = {}) {
  const client = fauxqsSqsClient();
  const { queueUrl, dlqUrl } = await createTestQueue(client);
  const queue = new SqsTaskQueue({ client, queueUrl, retryBaseDelayMs: 0, ...options });
  const drain = (expected: number, waitMs?: number) => drainQueue(client, queueUrl, expected, waitMs);
  return { client, queueUrl, dlqUrl, queue, drain } satisfies TaskQueueFixture & Record<string, unknown>;
}

/**
 * Makes SendMessageBatch report entries as failed without sending them, as SQS does on a partial
 * failure: `plan(call, ids)` names the entries to fail on that call (1-based).
 */
function injectBatchFailures(
  client: SQSClient,
  plan: (call: number, ids: string[]) => { id: string; senderFault?: boolean }[],
): void {
  let call = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as SendMessageBatchCommandInput;
      const failing = plan(
        ++call,
        (input.Entries ?? []).map((e) => e.Id!),
      );
      const failed = new Set(failing.map((f) => f.id));
      const Failed = failing.map((f) => ({
        Id: f.id,
        Code: 'InternalError',
        SenderFault: f.senderFault ?? false,
      }));
      const kept = (input.Entries ?? []).filter((e) => !failed.has(e.Id!));
      if (kept.length === 0)
        return { output: { Successful: [], Failed, $metadata: {} }, response: {} } as never;
      const result = await next({ ...args, input: { ...input, Entries: kept } });
      const output = result.output as SendMessageBatchCommandOutput;
      output.Failed = [...(output.Failed ?? []), ...Failed];
      return result;
    },
    { step: 'initialize', name: 'injectBatchFailures', priority: 'low' },
  );
}

taskQueueContract('SqsTaskQueue on fauxqs', sqsFixture);

describe('SqsTaskQueue', () => {
  it('sends in SendMessageBatch chunks of 10', async () => {
    const { client, queue, drain } = await sqsFixture();
    const counter = new RequestCounter();
    attachRequestCounter(client, counter);
    await queue.send(taskMessages(25));
    expect(counter.count('SQS', 'SendMessageBatch')).toEqual({ calls: 3, attempts: 3 });
    expect(await drain(25)).toHaveLength(25);
  });

  it('resends only the entries a partial batch failure names', async () => {
    const { client, queue, drain } = await sqsFixture();
    const sent: string[][] = [];
    injectBatchFailures(client, (call, ids) => {
      sent.push(ids);
      return call === 1 ? [{ id: 'm1' }, { id: 'm3' }] : [];
    });
    const messages = taskMessages(5);
    await queue.send(messages);
    expect(sent).toEqual([
      ['m0', 'm1', 'm2', 'm3', 'm4'],
      ['m1', 'm3'],
    ]);
    const received = await drain(5);
    expect(received).toHaveLength(5); // each exactly once
    expect(new Set(received.map((m) => m.taskId))).toEqual(new Set(messages.map((m) => m.taskId)));
  });

  it('throws naming the messages that never went through, after sending the rest', async () => {
    const { client, queue, drain } = await sqsFixture({ maxEntryAttempts: 3 });
    let calls = 0;
    injectBatchFailures(client, (_call, ids) => {
      calls++;
      return ids.includes('m12') ? [{ id: 'm12' }] : [];
    });
    const messages = taskMessages(15);
    const error = await queue.send(messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskQueueSendError);
    const sendError = error as TaskQueueSendError;
    expect(sendError.failures.map((f) => f.message)).toEqual([messages[12]]);
    expect(sendError.sent).toBe(14);
    expect(sendError.message).toContain('etl/manual__2024-05-01T00:00:00+00:00/t12#1 (InternalError)');
    expect(calls).toBe(1 + 3); // the first chunk once, the second three times
    expect(await drain(14)).toHaveLength(14);
  });

  it('does not resend entries SQS rejected as the sender’s fault', async () => {
    const { client, queue } = await sqsFixture();
    let calls = 0;
    injectBatchFailures(client, () => {
      calls++;
      return [{ id: 'm0', senderFault: true }];
    });
    await expect(queue.send(taskMessages(2))).rejects.toMatchObject({
      failures: [{ code: 'InternalError', senderFault: true }],
      sent: 1,
    });
    expect(calls).toBe(1);
  });

  it('fails every message of a chunk whose request fails, keeping the cause', async () => {
    const client = fauxqsSqsClient({ maxAttempts: 1 });
    const { queueUrl } = await createTestQueue(client);
    const queue = new SqsTaskQueue({ client, queueUrl: `${queueUrl}-missing`, retryBaseDelayMs: 0 });
    const error = (await queue.send(taskMessages(12)).catch((e: unknown) => e)) as TaskQueueSendError;
    expect(error).toBeInstanceOf(TaskQueueSendError);
    expect(error.failures).toHaveLength(12);
    expect(error.sent).toBe(0);
    expect((error.cause as Error).name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
  });

  it('runs against a queue with a DLQ after 3 receives (the helper mirrors the stack)', async () => {
    const { client, queueUrl, dlqUrl } = await sqsFixture();
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    expect(Number(JSON.parse(Attributes!.RedrivePolicy!).maxReceiveCount)).toBe(3);
    expect(dlqUrl).toMatch(/-dlq$/);
  });
});

describe('SqsTaskQueue memory-class routing', () => {
  async function threeClasses() {
    const client = fauxqsSqsClient();
    const urls = await Promise.all(
      [1024, 4096, 10240].map(async () => (await createTestQueue(client)).queueUrl),
    );
    const [small, medium, large] = urls as [string, string, string];
    const queue = new SqsTaskQueue({
      client,
      queueUrl: small,
      // Out of order on purpose: the adapter sorts the classes.
      routes: [
        { memoryMiB: 10240, queueUrl: large },
        { memoryMiB: 1024, queueUrl: small },
        { memoryMiB: 4096, queueUrl: medium },
      ],
      retryBaseDelayMs: 0,
    });
    const drained = async (url: string, expected: number) =>
      (await drainQueue(client, url, expected)).map((m) => `${m.taskId}:${m.memoryMiB ?? '-'}`).sort();
    return { client, queue, small, medium, large, drained };
  }

  it('sends each message to the smallest class with enough memory, the oversized to the largest', async () => {
    const { queue, small, medium, large, drained } = await threeClasses();
    const asks = { a: 512, b: 1024, c: 1025, d: 4096, e: 8000, f: 20000 } as const;
    const messages = Object.entries(asks).map(([taskId, memoryMiB]) => ({
      ...taskMessages(1)[0]!,
      taskId,
      memoryMiB,
    }));
    await queue.send([...messages, { ...taskMessages(1)[0]!, taskId: 'g' }]);
    expect(await drained(small, 3)).toEqual(['a:512', 'b:1024', 'g:-']);
    expect(await drained(medium, 2)).toEqual(['c:1025', 'd:4096']);
    expect(await drained(large, 2)).toEqual(['e:8000', 'f:20000']);
  });

  it('never mixes queues in one batch and still chunks by 10', async () => {
    const { client, queue, small, large, drained } = await threeClasses();
    const counter = new RequestCounter();
    attachRequestCounter(client, counter);
    const messages = taskMessages(25).map((m, i) => ({ ...m, memoryMiB: i % 2 === 0 ? 1024 : 9000 }));
    await queue.send(messages);
    // 13 to the small class (2 batches) and 12 to the large one (2): never one batch for both.
    expect(counter.count('SQS', 'SendMessageBatch')).toEqual({ calls: 4, attempts: 4 });
    expect(await drained(small, 13)).toHaveLength(13);
    expect(await drained(large, 12)).toHaveLength(12);
  });
});
