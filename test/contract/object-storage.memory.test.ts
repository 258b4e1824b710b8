import { describe, expect, it } from 'vitest';
import { MemoryObjectStorage } from '../../functions/adapters/memory/object-storage';
import { objectStorageContract } from './object-storage.contract';

objectStorageContract('MemoryObjectStorage', async () => {
  const storage = new MemoryObjectStorage({ buckets: ['one', 'two'] });
  return { storage, buckets: ['one', 'two'], read: async (at) => storage.get(at), missingBucket: 'nope' };
});

describe('MemoryObjectStorage', () => {
  it('creates buckets on first use when asked to (the dags test sandbox)', async () => {
    const storage = new MemoryObjectStorage({ createMissingBuckets: true });
    expect(await storage.list('fresh', '')).toEqual([]);
    await storage.put({ bucket: 'other', key: 'k' }, 'v', 'text/plain');
    expect(storage.get({ bucket: 'other', key: 'k' })?.body).toBe('v');
  });
});
