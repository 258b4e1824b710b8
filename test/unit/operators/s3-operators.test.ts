import { describe, expect, it } from 'vitest';
import { MemoryObjectStorage } from '../../../functions/adapters/memory/object-storage';
import type { OperatorSpec } from '../../../functions/core/model';
import type { TaskContext } from '../../../functions/core/task-context';
import { runS3 } from '../../../functions/operators/s3-operators';
import { t } from '../core/planner/fixtures';

/** A rendered task as the runner receives it, with a context that only logs. */
function invocation(operator: OperatorSpec) {
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const context = { log, signal: new AbortController().signal } as unknown as TaskContext;
  return { task: t('purge', [], { operator }), context, inputs: [] };
}

describe('s3_delete at run time', () => {
  it('refuses a prefix that rendered empty instead of deleting the whole bucket', async () => {
    const storage = new MemoryObjectStorage({ buckets: ['raw'] });
    await storage.put({ bucket: 'raw', key: 'keep.csv' }, 'x', 'text/csv');
    await expect(
      runS3(invocation({ kind: 's3_delete', bucket: 'raw', prefix: '' }), storage),
    ).rejects.toMatchObject({
      name: 'NonRetryableTaskError',
      message: expect.stringMatching(
        /^s3_delete of bucket "raw" has an empty prefix, which would delete the whole bucket/,
      ),
    });
    expect(await storage.list('raw', '')).toEqual(['keep.csv']);
  });

  it('deletes nothing and reports 0 when a prefix matches no object', async () => {
    const storage = new MemoryObjectStorage({ buckets: ['raw'] });
    await storage.put({ bucket: 'raw', key: 'keep.csv' }, 'x', 'text/csv');
    const result = await runS3(invocation({ kind: 's3_delete', bucket: 'raw', prefix: 'tmp/' }), storage);
    expect(result).toEqual({ kind: 'done', value: 0 });
    expect(await storage.list('raw', '')).toEqual(['keep.csv']);
  });
});
