import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../../ports/blob-store';
import { bodyBytes, isNoSuchKey } from './s3-errors';

/** Options of `S3BlobStore`. */
export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key (e.g. `xcom/`). Default ''. */
  prefix?: string;
}

/** Opaque objects in one S3 bucket (large XCom values). */
export class S3BlobStore implements BlobStore {
  private readonly prefix: string;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.prefix = options.prefix ?? '';
  }

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.options.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.prefix + key,
        Body: body,
        // Known up front; without it the SDK warns about "a Stream of unknown length" for empty bodies.
        ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const output = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.prefix + key }),
      );
      return await bodyBytes(output.Body);
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }
}
