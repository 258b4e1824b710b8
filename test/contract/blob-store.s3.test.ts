import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../functions/adapters/aws/s3/blob-store';
import { createTestBucket, fauxqsS3Client } from '../helpers/fauxqs';
import { blobStoreContract } from './blob-store.contract';

blobStoreContract('S3BlobStore on fauxqs', async () => {
  const client = fauxqsS3Client();
  return new S3BlobStore({ client, bucket: await createTestBucket(client) });
});

describe('S3BlobStore', () => {
  it('writes under its prefix with the given content type', async () => {
    const client = fauxqsS3Client();
    const bucket = await createTestBucket(client);
    const store = new S3BlobStore({ client, bucket, prefix: 'xcom/' });
    await store.put('a.json', '{}', 'application/json');
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'xcom/a.json' }));
    expect(head.ContentType).toBe('application/json');
  });

  it('rethrows errors other than a missing key', async () => {
    const client = fauxqsS3Client({ maxAttempts: 1 });
    const store = new S3BlobStore({ client, bucket: 'no-such-bucket-updraft' });
    await expect(store.get('a')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
