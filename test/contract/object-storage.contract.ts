import { describe, expect, it } from 'vitest';
import type { ObjectLocation } from '../../functions/core/model';
import {
  BucketNotFoundError,
  ObjectNotFoundError,
  type ObjectStorage,
} from '../../functions/ports/object-storage';

/** An adapter under test: two existing empty buckets and a way to read objects back. */
export interface ObjectStorageFixture {
  storage: ObjectStorage;
  buckets: [string, string];
  read(location: ObjectLocation): Promise<{ body: string; contentType: string } | undefined>;
  /** A bucket name that does not exist. */
  missingBucket: string;
}

/** The ObjectStorage port contract: what every adapter must do. */
export function objectStorageContract(name: string, setup: () => Promise<ObjectStorageFixture>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    it('puts objects with their content type and replaces existing ones', async () => {
      const { storage, buckets, read } = await setup();
      const at = { bucket: buckets[0], key: 'out/day=2024-01-01/rows.json' };
      await storage.put(at, '{"rows":1}', 'application/json');
      expect(await read(at)).toEqual({ body: '{"rows":1}', contentType: 'application/json' });
      await storage.put(at, 'naïve ✓', 'text/plain; charset=utf-8');
      expect((await read(at))?.body).toBe('naïve ✓');
    });

    it('lists the keys under a prefix in key order, all keys for an empty prefix', async () => {
      const { storage, buckets } = await setup();
      for (const key of ['in/b.csv', 'in/a.csv', 'in2/c.csv', 'out/d.csv'])
        await storage.put({ bucket: buckets[0], key }, 'x', 'text/csv');
      expect(await storage.list(buckets[0], 'in/')).toEqual(['in/a.csv', 'in/b.csv']);
      expect(await storage.list(buckets[0], 'in')).toEqual(['in/a.csv', 'in/b.csv', 'in2/c.csv']);
      expect(await storage.list(buckets[0], '')).toHaveLength(4);
      expect(await storage.list(buckets[0], 'none/')).toEqual([]);
    });

    it('copies within and across buckets, keys with spaces and "+" included', async () => {
      const { storage, buckets, read } = await setup();
      const source = { bucket: buckets[0], key: 'dir/a b+c.txt' };
      await storage.put(source, 'payload', 'text/plain');
      await storage.copy(source, { bucket: buckets[1], key: 'copied/a b+c.txt' });
      await storage.copy(source, { bucket: buckets[0], key: 'same-bucket.txt' });
      expect((await read({ bucket: buckets[1], key: 'copied/a b+c.txt' }))?.body).toBe('payload');
      expect((await read({ bucket: buckets[0], key: 'same-bucket.txt' }))?.body).toBe('payload');
      expect((await read(source))?.body).toBe('payload');
    });

    it('refuses to copy a missing object, naming it', async () => {
      const { storage, buckets } = await setup();
      const missing = { bucket: buckets[0], key: 'never/written' };
      const error = await storage.copy(missing, { bucket: buckets[1], key: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect((error as Error).message).toBe(`object s3://${buckets[0]}/never/written does not exist`);
    });

    it('deletes keys, counting them; missing keys are not an error', async () => {
      const { storage, buckets } = await setup();
      for (const key of ['a', 'b', 'c']) await storage.put({ bucket: buckets[0], key }, 'x', 'text/plain');
      expect(await storage.delete(buckets[0], ['a', 'c', 'never'])).toBe(3);
      expect(await storage.list(buckets[0], '')).toEqual(['b']);
    });

    it('tells whether an object exists, by exact key only', async () => {
      const { storage, buckets } = await setup();
      const at = { bucket: buckets[0], key: 'in/day=1/data file+1.csv' };
      expect(await storage.exists(at)).toBe(false);
      await storage.put(at, 'x', 'text/csv');
      expect(await storage.exists(at)).toBe(true);
      expect(await storage.exists({ bucket: buckets[0], key: 'in/day=1' })).toBe(false);
      expect(await storage.exists({ bucket: buckets[1], key: at.key })).toBe(false);
      await storage.delete(buckets[0], [at.key]);
      expect(await storage.exists(at)).toBe(false);
    });

    it('reports a missing bucket as BucketNotFoundError naming it, for every operation', async () => {
      const { storage, buckets, missingBucket } = await setup();
      const at = { bucket: missingBucket, key: 'k' };
      const attempts = [
        () => storage.put(at, 'x', 'text/plain'),
        () => storage.list(missingBucket, ''),
        () => storage.delete(missingBucket, ['k']),
        () => storage.copy(at, { bucket: buckets[0], key: 'k' }),
        () => storage.exists(at),
      ];
      for (const attempt of attempts) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BucketNotFoundError);
        expect((error as Error).message).toContain(`"${missingBucket}"`);
      }
    });
  });
}
