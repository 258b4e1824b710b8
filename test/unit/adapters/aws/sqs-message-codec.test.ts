import { describe, expect, it } from 'vitest';
import { decodeSqsRecords, toSqsBatchResponse } from '../../../../functions/adapters/aws/sqs/batch-response';
import { decodeTaskMessage, encodeTaskMessage } from '../../../../functions/adapters/aws/sqs/message-codec';
import { type TaskMessage, UndecodableMessageError } from '../../../../functions/ports/task-queue';

const message: TaskMessage = {
  dagId: 'etl',
  runId: 'scheduled__2024-05-01T00:00:00+00:00',
  taskId: 'load',
  mapIndex: 3,
  tryNumber: 2,
};

function decodeError(body: string): UndecodableMessageError {
  try {
    decodeTaskMessage(body);
  } catch (error) {
    if (error instanceof UndecodableMessageError) return error;
    throw error;
  }
  throw new Error('decoded');
}

describe('task message codec', () => {
  it('round-trips a message, dropping fields that are not part of it', () => {
    const body = encodeTaskMessage({ ...message, extra: 'x' } as TaskMessage);
    expect(JSON.parse(body)).toEqual({ v: 1, ...message });
    expect(decodeTaskMessage(body)).toEqual(message);
    expect(decodeTaskMessage(encodeTaskMessage({ ...message, mapIndex: -1 }))).toEqual({
      ...message,
      mapIndex: -1,
    });
  });

  it('ignores unknown keys a newer writer may add', () => {
    expect(decodeTaskMessage(JSON.stringify({ v: 1, ...message, traceId: 'abc' }))).toEqual(message);
  });

  it.each<[string, string, Partial<TaskMessage> | undefined, RegExp]>([
    ['not JSON', 'hello', undefined, /not JSON: "hello"/],
    ['JSON but not an object', '[1,2]', undefined, /invalid task message/],
    ['another format version', JSON.stringify({ v: 2, ...message }), message, /v: /],
    [
      'a missing try number',
      JSON.stringify({ v: 1, dagId: 'etl', runId: 'r', taskId: 't', mapIndex: -1 }),
      { dagId: 'etl', runId: 'r', taskId: 't', mapIndex: -1 },
      /tryNumber/,
    ],
    [
      'a bad map index',
      JSON.stringify({ v: 1, dagId: 'etl', runId: 'r', taskId: '', mapIndex: -2, tryNumber: 1.5 }),
      { dagId: 'etl', runId: 'r' },
      /mapIndex/,
    ],
    ['no usable field', JSON.stringify({ v: 1, dagId: 7 }), undefined, /dagId/],
  ])('rejects %s, recovering what it can', (_name, body, key, message) => {
    const error = decodeError(body);
    expect(error.key).toEqual(key);
    expect(error.message).toMatch(message);
    expect(error.cause).toBeDefined();
  });

  it('quotes at most 200 characters of a bad body', () => {
    expect(decodeError('x'.repeat(1000)).message.length).toBeLessThan(300);
  });
});

describe('SQS batch helpers', () => {
  it('splits event records into decoded and undecodable ones', () => {
    const { messages, undecodable } = decodeSqsRecords([
      { messageId: 'a', body: encodeTaskMessage(message) },
      { messageId: 'b', body: '{' },
    ]);
    expect(messages).toEqual([{ messageId: 'a', message }]);
    expect(undecodable).toHaveLength(1);
    expect(undecodable[0]).toMatchObject({ messageId: 'b', error: { name: 'UndecodableMessageError' } });
  });

  it('reports failed message ids once each (empty acknowledges the batch)', () => {
    expect(toSqsBatchResponse(['a', 'b', 'a'])).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }],
    });
    expect(toSqsBatchResponse([])).toEqual({ batchItemFailures: [] });
  });
});
