import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectLocation } from '../../../core/model';
import { BucketNotFoundError, ObjectNotFoundError, type ObjectStorage } from '../../../ports/object-storage';
import { isNoSuchBucket, isNoSuchKey, isNotFound } from './s3-errors';

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

/** Options of `S3ObjectStorage`. */
export interface S3ObjectStorageOptions {
  client: S3Client;
  /**
   * Create a missing bucket and retry, instead of failing. Only for emulators (local mode), where
   * buckets vanish on restart and there is no console to create them. Default false.
   */
  createMissingBuckets?: boolean;
}

/** Objects in any bucket the client's credentials reach, translating S3 errors into port errors. */
export class S3ObjectStorage implements ObjectStorage {
  constructor(private readonly options: S3ObjectStorageOptions) {}

  async put(location: ObjectLocation, body: string, contentType: string): Promise<void> {
    await this.send([location.bucket], () =>
      this.options.client.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: body,
          ContentLength: Buffer.byteLength(body),
          ContentType: contentType,
        }),
      ),
    );
  }

  async copy(source: ObjectLocation, dest: ObjectLocation): Promise<void> {
    // CopySource is URL-encoded per key segment; "/" separates the bucket and stays literal.
    const copySource = `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
    try {
      await this.send([...new Set([source.bucket, dest.bucket])], () =>
        this.options.client.send(
          new CopyObjectCommand({ Bucket: dest.bucket, Key: dest.key, CopySource: copySource }),
        ),
      );
    } catch (error) {
      if (isNoSuchKey(error)) throw new ObjectNotFoundError(source, { cause: error });
      throw error;
    }
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send([bucket], () =>
        this.options.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(prefix && { Prefix: prefix }),
            ...(token && { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async exists(location: ObjectLocation): Promise<boolean> {
    try {
      await this.options.client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    // HEAD answers a bare 404 for a missing key and a missing bucket alike; only the bucket is an error.
    try {
      await this.options.client.send(new HeadBucketCommand({ Bucket: location.bucket }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (!this.options.createMissingBuckets)
        throw new BucketNotFoundError(location.bucket, { cause: error });
      await this.createBucket(location.bucket);
    }
    return false;
  }

  async delete(bucket: string, keys: readonly string[]): Promise<number> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const output = await this.send([bucket], () =>
        this.options.client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      // DeleteObjects answers 200 even when single keys fail (AccessDenied …); they are in Errors.
      const failed = output.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new Error(
          `could not delete ${failed.length} object(s) from bucket "${bucket}", e.g. "${first.Key}": ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
    return keys.length;
  }

  /**
   * Runs a request touching `buckets`. A missing bucket (named by S3's error when it says which)
   * is BucketNotFoundError, or, with createMissingBuckets, created before one more try.
   */
  private async send<T>(buckets: readonly string[], request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (!isNoSuchBucket(error)) throw error;
        const named = (error as { BucketName?: string }).BucketName;
        const missing = named && buckets.includes(named) ? [named] : buckets;
        if (!this.options.createMissingBuckets || attempt >= buckets.length)
          throw new BucketNotFoundError(missing.join('" or "'), { cause: error });
        for (const bucket of missing) await this.createBucket(bucket);
      }
    }
  }

  private async createBucket(bucket: string): Promise<void> {
    try {
      await this.options.client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  }
}
