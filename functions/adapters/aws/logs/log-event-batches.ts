import type { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';

/** PutLogEvents limit: events per call. */
export const MAX_BATCH_EVENTS = 10_000;
/** PutLogEvents limit: bytes per call (UTF-8 messages plus the per-event overhead). */
export const MAX_BATCH_BYTES = 1_048_576;
/** Bytes CloudWatch adds to each event's UTF-8 message when sizing a batch. */
export const EVENT_OVERHEAD_BYTES = 26;
/** CloudWatch Logs limit: bytes of one event, overhead included. */
export const MAX_EVENT_BYTES = 256 * 1024;
const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
const TRUNCATED = ' … [truncated: the line exceeded the CloudWatch event size]';

/**
 * Splits chronologically ordered events into PutLogEvents batches within the count, size and 24-hour
 * span limits. Each batch holds as many events, in the same order, as it took from the input; a
 * message too large for one event is cut (with a note) rather than failing the whole batch.
 */
export function toLogEventBatches(events: readonly InputLogEvent[]): InputLogEvent[][] {
  const batches: InputLogEvent[][] = [];
  let batch: InputLogEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const message = fitEventSize(event.message ?? '');
    const size = Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES;
    const first = batch[0];
    const spanTooLong =
      first !== undefined && (event.timestamp ?? 0) - (first.timestamp ?? 0) > MAX_BATCH_SPAN_MS;
    if (batch.length === MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES || spanTooLong) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ timestamp: event.timestamp, message });
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function fitEventSize(message: string): string {
  const limit = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES;
  if (Buffer.byteLength(message) <= limit) return message;
  const room = limit - Buffer.byteLength(TRUNCATED);
  // Cut on bytes, then drop a split trailing character (decoded as U+FFFD).
  const cut = Buffer.from(message)
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return cut + TRUNCATED;
}
