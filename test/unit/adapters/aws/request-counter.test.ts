import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { attachRequestCounter, RequestCounter } from '../../../../functions/adapters/aws/request-counter';
import { createTestBucket, createTestQueue, fauxqsS3Client, fauxqsSqsClient } from '../../../helpers/fauxqs';

describe('RequestCounter on fauxqs', () => {
  it('counts calls per service and operation across clients', async () => {
    const s3 = fauxqsS3Client();
    const sqs = fauxqsSqsClient();
    const bucket = await createTestBucket(s3);
    const { queueUrl } = await createTestQueue(sqs);
    const counter = new RequestCounter();
    attachRequestCounter(s3, counter);
    attachRequestCounter(sqs, counter);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x' }));
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a' }));
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a' }));
    await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    await sqs.send(new ListQueuesCommand({}));
    expect(counter.snapshot()).toEqual([
      { service: 'S3', operation: 'GetObject', calls: 2, attempts: 2 },
      { service: 'S3', operation: 'ListObjectsV2', calls: 1, attempts: 1 },
      { service: 'S3', operation: 'PutObject', calls: 1, attempts: 1 },
      { service: 'SQS', operation: 'GetQueueAttributes', calls: 1, attempts: 1 },
      { service: 'SQS', operation: 'ListQueues', calls: 1, attempts: 1 },
    ]);
    expect(counter.byService()).toEqual({ S3: { calls: 4, attempts: 4 }, SQS: { calls: 2, attempts: 2 } });
    expect(counter.count('S3', 'DeleteObject')).toEqual({ calls: 0, attempts: 0 });
    counter.reset();
    expect(counter.snapshot()).toEqual([]);
  });

  it('counts every attempt of a retried call, failed ones included', async () => {
    const s3 = fauxqsS3Client({ maxAttempts: 3 });
    const bucket = await createTestBucket(s3);
    const counter = new RequestCounter();
    attachRequestCounter(s3, counter);
    let attempt = 0;
    // Below the retry middleware: the first attempt fails like a 503 would.
    s3.middlewareStack.add(
      (next) => async (args) => {
        if (++attempt === 1) {
          throw Object.assign(new Error('injected'), {
            name: 'ServiceUnavailable',
            $metadata: { httpStatusCode: 503 },
          });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'failFirstAttempt', priority: 'low' },
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x' }));
    expect(counter.count('S3', 'PutObject')).toEqual({ calls: 1, attempts: 2 });
    // A call that fails for good counts too.
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))).rejects.toThrow();
    expect(counter.count('S3', 'GetObject')).toEqual({ calls: 1, attempts: 1 });
  });

  it('stops counting once detached, and lets several counters share a client', async () => {
    const s3 = fauxqsS3Client();
    const bucket = await createTestBucket(s3);
    const first = new RequestCounter();
    const second = new RequestCounter();
    const detach = attachRequestCounter(s3, first);
    attachRequestCounter(s3, second);
    await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    detach();
    await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(first.count('S3', 'ListObjectsV2').calls).toBe(1);
    expect(second.count('S3', 'ListObjectsV2').calls).toBe(2);
  });

  it('files calls without client or command names under Unknown', () => {
    const counter = new RequestCounter();
    counter.record('calls');
    expect(counter.snapshot()).toEqual([{ service: 'Unknown', operation: 'Unknown', calls: 1, attempts: 0 }]);
  });
});
