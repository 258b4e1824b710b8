import type { ObjectLocation } from '../core/model';

/**
 * Port: objects in any bucket the deployment may reach (S3 in AWS, the emulator in local mode,
 * memory in tests). Unlike BlobStore, which owns Updraft's own bucket, this addresses users' data.
 */
export interface ObjectStorage {
  /** Writes (or replaces) one object. */
  put(location: ObjectLocation, body: string, contentType: string): Promise<void>;
  /** Copies one object; throws ObjectNotFoundError when the source does not exist. */
  copy(source: ObjectLocation, dest: ObjectLocation): Promise<void>;
  /** Keys under `prefix`, in key order. */
  list(bucket: string, prefix: string): Promise<string[]>;
  /** True when the object exists (S3 HeadObject); a missing bucket throws BucketNotFoundError. */
  exists(location: ObjectLocation): Promise<boolean>;
  /** Deletes the keys; a missing key is not an error (S3 reports it deleted too). Returns the count. */
  delete(bucket: string, keys: readonly string[]): Promise<number>;
}

/** A bucket that does not exist (or is not visible to this deployment). */
export class BucketNotFoundError extends Error {
  override readonly name = 'BucketNotFoundError';
  constructor(
    readonly bucket: string,
    options?: ErrorOptions,
  ) {
    super(`bucket "${bucket}" does not exist or is not accessible; create it or fix the name`, options);
  }
}

/** An object that does not exist. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly location: ObjectLocation,
    options?: ErrorOptions,
  ) {
    super(`object s3://${location.bucket}/${location.key} does not exist`, options);
  }
}
