import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ObjectStorage } from '../../functions/adapters/aws/s3/object-storage';
import { isNoSuchKey } from '../../functions/adapters/aws/s3/s3-errors';
import { createTestBucket, fauxqsS3Client, uniqueName } from '../helpers/fauxqs';
import { objectStorageContract } from './object-storage.contract';

objectStorageContract('S3ObjectStorage on fauxqs', async () => {
  const client = fauxqsS3Client({ maxAttempts: 1 });
  const buckets: [string, string] = [await createTestBucket(client), await createTestBucket(client)];
  return {
    storage: new S3ObjectStorage({ client }),
    buckets,
    missingBucket: uniqueName('missing'),
    read: async ({ bucket, key }) => {
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { body: await output.Body!.transformToString(), contentType: output.ContentType ?? '' };
      } catch (error) {
        if (isNoSuchKey(error)) return undefined;
        throw error;
      }
    },
  };
});

describe('S3ObjectStorage', () => {
  it('lists and deletes past one page / one DeleteObjects batch (1000 keys)', async () => {
    const client = fauxqsS3Client();
    const bucket = await createTestBucket(client);
    const keys = Array.from({ length: 1003 }, (_, i) => `p/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100)
      await Promise.all(
        keys
          .slice(i, i + 100)
          .map((Key) => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
      );
    const storage = new S3ObjectStorage({ client });
    expect(await storage.list(bucket, 'p/')).toEqual(keys);
    expect(await storage.delete(bucket, keys)).toBe(1003);
    expect(await storage.list(bucket, '')).toEqual([]);
  });

  it('creates a missing bucket and retries when told to (local mode on the emulator)', async () => {
    const client = fauxqsS3Client({ maxAttempts: 1 });
    const storage = new S3ObjectStorage({ client, createMissingBuckets: true });
    const fresh = uniqueName('fresh');
    expect(await storage.list(fresh, '')).toEqual([]);
    const source = { bucket: uniqueName('src'), key: 'k' };
    await storage.put(source, 'v', 'text/plain');
    await storage.copy(source, { bucket: uniqueName('dst'), key: 'k' });
    expect(await storage.list(source.bucket, '')).toEqual(['k']);
  });
});
