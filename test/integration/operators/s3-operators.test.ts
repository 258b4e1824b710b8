import { describe, expect, it } from 'vitest';
import { MemoryObjectStorage } from '../../../functions/adapters/memory/object-storage';
import { dag, s3Copy, s3Delete, s3List, s3Put, task } from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

describe('S3 operators (memory object storage)', () => {
  it('put, list, put-from-XCom, copy and delete by prefix, each with its XCom', async () => {
    const storage = new MemoryObjectStorage({ buckets: ['raw', 'curated'] });
    const r = await runInMemory(
      dag({ dagId: 'lake' }, () => {
        const a = s3Put({ taskId: 'put_a', bucket: 'raw', key: 'in/a.csv', body: 'x,y\n1,2\n' });
        const b = s3Put({ taskId: 'put_b', bucket: 'raw', key: 'in/b.csv', body: '' });
        const listed = s3List({ taskId: 'list', bucket: 'raw', prefix: 'in/' });
        a.then(listed);
        b.then(listed);
        const stats = task('stats', (_ctx, keys: string[]) => ({ files: keys.length }))(listed);
        const index = s3Put({ taskId: 'index', bucket: 'curated', key: 'index.json', fromXcom: listed });
        const summary = s3Put({ taskId: 'summary', bucket: 'curated', key: 'stats.json', fromXcom: stats });
        const copy = s3Copy({
          taskId: 'copy',
          source: { bucket: 'raw', key: 'in/a.csv' },
          dest: { bucket: 'curated', key: 'a.csv' },
        });
        const purge = s3Delete({ taskId: 'purge', bucket: 'raw', prefix: 'in/' });
        index.then(copy);
        summary.then(copy);
        copy.then(purge);
      }),
      { services: { objectStorage: storage } },
    );
    expect(r.result.ok && r.result.run.state).toBe('success');
    expect(await r.xcomOf('list')).toEqual(['in/a.csv', 'in/b.csv']);
    expect(storage.get({ bucket: 'curated', key: 'index.json' })).toEqual({
      body: '["in/a.csv","in/b.csv"]',
      contentType: 'application/json',
    });
    expect(storage.get({ bucket: 'curated', key: 'stats.json' })?.body).toBe('{"files":2}');
    expect(storage.get({ bucket: 'curated', key: 'a.csv' })?.body).toBe('x,y\n1,2\n');
    expect(await r.xcomOf('copy')).toEqual({ bucket: 'curated', key: 'a.csv' });
    expect(await r.xcomOf('purge')).toBe(2);
    expect(await storage.list('raw', '')).toEqual([]);
    expect(r.logOf('purge')).toContain('deleted 2 object(s) from s3://raw/in/');
  });

  it('writes a string XCom as text', async () => {
    const storage = new MemoryObjectStorage({ buckets: ['raw'] });
    await runInMemory(
      dag({ dagId: 'text' }, () => {
        const line = task('line', () => 'hello')();
        s3Put({ taskId: 'put', bucket: 'raw', key: 'k.txt', fromXcom: line });
      }),
      { services: { objectStorage: storage } },
    );
    expect(storage.get({ bucket: 'raw', key: 'k.txt' })).toEqual({
      body: 'hello',
      contentType: 'text/plain; charset=utf-8',
    });
  });

  it('fails without retries on a missing bucket or source object, naming it', async () => {
    const storage = new MemoryObjectStorage({ buckets: ['raw'] });
    const r = await runInMemory(
      dag({ dagId: 'missing' }, () => {
        s3List({ taskId: 'list', bucket: 'nope', retries: 2 });
        s3Copy({
          taskId: 'copy',
          source: { bucket: 'raw', key: 'gone.csv' },
          dest: { bucket: 'raw', key: 'b.csv' },
          retries: 2,
        });
      }),
      { services: { objectStorage: storage } },
    );
    expect(r.byId('list')).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(r.byId('list')?.reason).toBe(
      'bucket "nope" does not exist or is not accessible; create it or fix the name',
    );
    expect(r.byId('copy')).toMatchObject({
      state: 'failed',
      reason: 'object s3://raw/gone.csv does not exist',
    });
  });

  it('fails naming the upstream task when the XCom to write is missing', async () => {
    const r = await runInMemory(
      dag({ dagId: 'empty_xcom' }, () => {
        const nothing = task('nothing', () => undefined)();
        s3Put({ taskId: 'put', bucket: 'raw', key: 'k', fromXcom: nothing });
      }),
      { services: { objectStorage: new MemoryObjectStorage({ buckets: ['raw'] }) } },
    );
    expect(r.byId('put')?.reason).toBe(
      'task "nothing" pushed no XCom "return_value" to write; make it return a value',
    );
  });

  it('fails naming object storage when the runtime has none', async () => {
    const r = await runInMemory(dag({ dagId: 'none' }, () => void s3List({ taskId: 'list', bucket: 'raw' })));
    expect(r.byId('list')?.reason).toBe(
      'task "list" (s3_list) needs object storage (S3), which is not configured in this runtime',
    );
  });
});
