import type { ObjectLocation } from '../../core/model';
import { BucketNotFoundError, ObjectNotFoundError, type ObjectStorage } from '../../ports/object-storage';

/** A stored object: its text and content type. */
export interface MemoryObject {
  body: string;
  contentType: string;
}

/**
 * Object storage in a map, with S3's semantics: buckets must exist (unless `createMissingBuckets`,
 * for `dags test` sandboxes), keys list in order, deleting a missing key succeeds.
 */
export class MemoryObjectStorage implements ObjectStorage {
  private readonly buckets = new Map<string, Map<string, MemoryObject>>();

  constructor(private readonly options: { buckets?: string[]; createMissingBuckets?: boolean } = {}) {
    for (const bucket of options.buckets ?? []) this.createBucket(bucket);
  }

  /** Creates an empty bucket (no-op when it exists). */
  createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  /** The stored object, for assertions. */
  get(location: ObjectLocation): MemoryObject | undefined {
    return this.buckets.get(location.bucket)?.get(location.key);
  }

  async put(location: ObjectLocation, body: string, contentType: string): Promise<void> {
    this.bucket(location.bucket).set(location.key, { body, contentType });
  }

  async copy(source: ObjectLocation, dest: ObjectLocation): Promise<void> {
    const object = this.bucket(source.bucket).get(source.key);
    const target = this.bucket(dest.bucket);
    if (!object) throw new ObjectNotFoundError(source);
    target.set(dest.key, { ...object });
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return [...this.bucket(bucket).keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async exists(location: ObjectLocation): Promise<boolean> {
    return this.bucket(location.bucket).has(location.key);
  }

  async delete(bucket: string, keys: readonly string[]): Promise<number> {
    const objects = this.bucket(bucket);
    for (const key of keys) objects.delete(key);
    return keys.length;
  }

  private bucket(name: string): Map<string, MemoryObject> {
    if (this.options.createMissingBuckets) this.createBucket(name);
    const bucket = this.buckets.get(name);
    if (!bucket) throw new BucketNotFoundError(name);
    return bucket;
  }
}
