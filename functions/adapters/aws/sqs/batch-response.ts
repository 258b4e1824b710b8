import type { TaskMessage, UndecodableMessageError } from '../../../ports/task-queue';
import { decodeTaskMessage } from './message-codec';

/** Lambda's partial batch response for SQS (needs `ReportBatchItemFailures` on the event source). */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The fields of an SQS event record this adapter reads (`SQSRecord` has more). */
export interface SqsRecordLike {
  messageId: string;
  body: string;
}

/** A decoded record, with the id to report if handling it fails. */
export interface DecodedRecord {
  messageId: string;
  message: TaskMessage;
}

/** A record whose body could not be decoded; `error.key` names the task when recoverable. */
export interface UndecodableRecord {
  messageId: string;
  error: UndecodableMessageError;
}

/** Splits an SQS event's records into decoded task messages and undecodable ones. */
export function decodeSqsRecords(records: readonly SqsRecordLike[]): {
  messages: DecodedRecord[];
  undecodable: UndecodableRecord[];
} {
  const messages: DecodedRecord[] = [];
  const undecodable: UndecodableRecord[] = [];
  for (const { messageId, body } of records) {
    try {
      messages.push({ messageId, message: decodeTaskMessage(body) });
    } catch (error) {
      undecodable.push({ messageId, error: error as UndecodableMessageError });
    }
  }
  return { messages, undecodable };
}

/**
 * The response that makes SQS redeliver only the failed messages (the rest are deleted). Duplicate
 * ids are reported once; an empty list acknowledges the whole batch.
 */
export function toSqsBatchResponse(failedMessageIds: Iterable<string>): SqsBatchResponse {
  return { batchItemFailures: [...new Set(failedMessageIds)].map((itemIdentifier) => ({ itemIdentifier })) };
}
