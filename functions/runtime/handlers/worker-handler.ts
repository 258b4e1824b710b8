import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeTaskMessage } from '../../adapters/aws/sqs/message-codec';
import { failQueued, runTaskMessage, type WorkerDeps } from '../../app/run-task-message';
import { UndecodableMessageError } from '../../ports/task-queue';
import { errorFields, logJson } from '../log';

/** Worker handler options: how long before the Lambda deadline a running task is stopped. */
export interface WorkerHandlerOptions {
  safetyMarginSeconds: number;
}

/**
 * Handler of the SQS task queue: runs each message's attempt and reports partial batch
 * failures, so only the messages that hit an infrastructure error are redelivered (and reach
 * the DLQ after maxReceiveCount). A message that cannot be decoded fails the task it names.
 */
export function createWorkerHandler(deps: WorkerDeps, options: WorkerHandlerOptions) {
  return async (
    event: SQSEvent,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<SQSBatchResponse> => {
    const deadlineAt = Date.now() + context.getRemainingTimeInMillis() - options.safetyMarginSeconds * 1000;
    const results = await Promise.allSettled(
      event.Records.map((record) => handleRecord(deps, record, deadlineAt)),
    );
    const batchItemFailures = results.flatMap((result, i) => {
      if (result.status === 'fulfilled') return [];
      const record = event.Records[i]!;
      logJson('error', 'task message failed; it will be redelivered', {
        messageId: record.messageId,
        ...errorFields(result.reason),
      });
      return [{ itemIdentifier: record.messageId }];
    });
    return { batchItemFailures };
  };
}

async function handleRecord(deps: WorkerDeps, record: SQSRecord, deadlineAt: number): Promise<void> {
  let message: ReturnType<typeof decodeTaskMessage>;
  try {
    message = decodeTaskMessage(record.body);
  } catch (error) {
    if (!(error instanceof UndecodableMessageError)) throw error;
    const key = error.key;
    const complete =
      key?.dagId && key.runId && key.taskId && key.mapIndex !== undefined && key.tryNumber !== undefined;
    if (!complete) throw error; // nothing to fail: let SQS redrive it to the DLQ
    await failQueued(
      deps,
      key as Parameters<typeof failQueued>[1],
      `undecodable task message: ${error.message}`,
    );
    return;
  }
  const summary = await runTaskMessage(deps, message, { deadlineAt });
  logJson('info', summary.kind === 'ran' ? 'task attempt finished' : 'task message dropped', {
    ...message,
    ...(summary.kind === 'ran'
      ? { state: summary.instance.state, reason: summary.instance.reason, wakeUp: summary.wakeUp }
      : { why: summary.reason }),
  });
}
