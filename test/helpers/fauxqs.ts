import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';

// Any credentials work: fauxqs never validates them, and they must never be real ones.
const dummy = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;

/** The endpoint of the run's fauxqs (started by test/setup/fauxqs.global.ts). */
export function fauxqsEndpoint(): string {
  const endpoint = inject('fauxqsEndpoint');
  if (!endpoint) throw new Error('fauxqs is not running: add test/setup/fauxqs.global.ts to globalSetup');
  return endpoint;
}

/** An SQSClient on fauxqs (queue URLs name `sqs.<region>.localhost`, so never use them as endpoint). */
export function fauxqsSqsClient(options: { maxAttempts?: number } = {}): SQSClient {
  return new SQSClient({ ...dummy, ...options, endpoint: fauxqsEndpoint(), useQueueUrlAsEndpoint: false });
}

/** An S3Client on fauxqs: path-style on 127.0.0.1, checksums only where S3 requires them. */
export function fauxqsS3Client(options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    ...dummy,
    ...options,
    endpoint: fauxqsEndpoint(),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** An SNSClient on fauxqs (SNS notifier tests). */
export function fauxqsSnsClient(): SNSClient {
  return new SNSClient({ ...dummy, endpoint: fauxqsEndpoint() });
}

/** A unique lowercase resource name, valid for both queues and buckets. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A fresh queue with its DLQ (redrive after 3 receives), as the stack creates them. */
export async function createTestQueue(
  client: SQSClient,
  attributes: Record<string, string> = {},
): Promise<{ queueUrl: string; dlqUrl: string; name: string }> {
  const name = uniqueName('tasks');
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl!;
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 3 });
  const queue = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy, ...attributes } }),
  );
  return { queueUrl: queue.QueueUrl!, dlqUrl, name };
}

/** A fresh, empty bucket. */
export async function createTestBucket(client: S3Client): Promise<string> {
  const bucket = uniqueName('updraft');
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
