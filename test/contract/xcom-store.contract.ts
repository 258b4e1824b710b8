import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../functions/core/model';
import type { TaskInstanceKey } from '../../functions/core/records';
import type { BlobStore } from '../../functions/ports/blob-store';
import { type ListedXCom, type XComStore, XComTooLargeError } from '../../functions/ports/xcom-store';

/** BlobStore in a Map, standing in for S3. */
export class MapBlobStore implements BlobStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    this.objects.set(key, {
      body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
      contentType,
    });
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.body;
  }
}

/** A store under test, fresh for each test. */
export interface XComStoreUnderTest {
  store: XComStore;
  dispose(): Promise<void>;
}

/** What the implementation promises beyond the port's minimum. */
export interface XComStoreContractOptions {
  /** The store's size limit in bytes (values over it throw XComTooLargeError). */
  maxBytes: number;
  /** Size of a value the store keeps out of line (a blob), to check that path round-trips too. */
  largeValueBytes?: number;
}

const key = (taskId = 'extract', mapIndex = -1, runId = 'manual__1', dagId = 'etl'): TaskInstanceKey => ({
  dagId,
  runId,
  taskId,
  mapIndex,
});

const VALUES: [string, JsonValue][] = [
  ['a string', 'hello'],
  ['an empty string', ''],
  ['unicode', 'ü 🚀 \u0000 "quoted"'],
  ['zero', 0],
  ['a negative float', -12.5],
  ['a huge number', 1e300],
  ['false', false],
  ['null', null],
  ['an empty list', []],
  ['an empty object', {}],
  ['nested values', { list: [1, 'two', null, { deep: [true] }], '': 'empty key', n: { m: {} } }],
];

/** Defines the XComStore contract suite for one implementation. */
export function describeXComStoreContract(
  name: string,
  makeStore: () => Promise<XComStoreUnderTest>,
  options: XComStoreContractOptions,
): void {
  describe(`XComStore contract: ${name}`, () => {
    let subject: XComStoreUnderTest;
    let store: XComStore;
    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    it('pulls undefined when nothing was pushed', async () => {
      expect(await store.pull(key(), 'return_value')).toBeUndefined();
    });

    it('round-trips JSON values', async () => {
      for (const [index, [, value]] of VALUES.entries()) await store.push(key(), `k${index}`, value);
      for (const [index, [label, value]] of VALUES.entries()) {
        expect(await store.pull(key(), `k${index}`), label).toEqual(value);
      }
      expect(await store.pull(key(), 'k7')).toBeNull();
    });

    it('keeps the latest push of a key', async () => {
      await store.push(key(), 'return_value', { v: 1 });
      await store.push(key(), 'return_value', [2]);
      expect(await store.pull(key(), 'return_value')).toEqual([2]);
    });

    it('keeps values of other keys, tasks, map indexes, runs and DAGs apart', async () => {
      const keys = [
        [key(), 'return_value'],
        [key(), 'other # key/with:chars'],
        [key('load'), 'return_value'],
        [key('extract', 0), 'return_value'],
        [key('extract', 1), 'return_value'],
        [key('extract', -1, 'manual__10'), 'return_value'],
        [key('extract', -1, 'manual__1', 'etl2'), 'return_value'],
      ] as const;
      for (const [i, [k, x]] of keys.entries()) await store.push(k, x, i);
      for (const [i, [k, x]] of keys.entries()) expect(await store.pull(k, x)).toBe(i);
    });

    it('copies values in and out', async () => {
      const value = { list: [1, 2] };
      await store.push(key(), 'return_value', value);
      value.list.push(3);
      const pulled = (await store.pull(key(), 'return_value')) as { list: number[] };
      pulled.list.push(4);
      expect(await store.pull(key(), 'return_value')).toEqual({ list: [1, 2] });
    });

    it('round-trips a large value, and replaces it with a small one and back', async () => {
      const bytes = options.largeValueBytes ?? 200_000;
      const large = { rows: Array.from({ length: Math.ceil(bytes / 10) }, (_, i) => `row-${i}`) };
      await store.push(key(), 'return_value', large);
      expect(await store.pull(key(), 'return_value')).toEqual(large);
      await store.push(key(), 'return_value', 'small');
      expect(await store.pull(key(), 'return_value')).toBe('small');
      const other = { rows: [...large.rows, 'one more'] };
      await store.push(key(), 'return_value', other);
      expect(await store.pull(key(), 'return_value')).toEqual(other);
    });

    it('rejects a value over the size limit and keeps the old one', async () => {
      const limit = options.maxBytes;
      await store.push(key(), 'return_value', 'old');
      const tooLarge = 'x'.repeat(limit); // JSON adds two quotes
      const error = await store.push(key(), 'return_value', tooLarge).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XComTooLargeError);
      expect(error).toMatchObject({ key: key(), bytes: limit + 2, limitBytes: limit });
      expect(await store.pull(key(), 'return_value')).toBe('old');
      await store.push(key(), 'at_limit', 'x'.repeat(limit - 2));
      expect(await store.pull(key(), 'at_limit')).toHaveLength(limit - 2);
    });

    describe('list', () => {
      const listed = (k: TaskInstanceKey, xcomKey: string, value: JsonValue): ListedXCom => ({
        key: k,
        xcomKey,
        value,
      });
      const ids = (xs: ListedXCom[]) => xs.map((x) => `${x.key.taskId}[${x.key.mapIndex}].${x.xcomKey}`);

      it('lists nothing for a run without XComs', async () => {
        await store.push(key('extract', -1, 'manual__2'), 'return_value', 1);
        expect(await store.list('etl', 'manual__1')).toEqual([]);
        expect(await store.list('etl', 'manual__1', 'extract')).toEqual([]);
      });

      it('lists the XComs of a run by task id, then map index, then key', async () => {
        const pushes: [TaskInstanceKey, string][] = [
          [key('load', 10), 'b'],
          [key('load', 2), 'a'],
          [key('extract'), 'return_value'],
          [key('load'), 'x'],
          [key('extract'), 'a'],
          [key('load', 0), 'return_value'],
          [key('load_all'), 'z'],
          [key('extract.sub'), 'k'],
          [key('Zeta'), 'k'],
          [key('extract'), 'A'],
          // Code-point (UTF-8 byte) order: JS `<` would put the rocket before the full-width A.
          [key('extract'), '\u{1F680}'],
          [key('extract'), '\uFF21'],
          [key('extract'), 'ü'],
        ];
        for (const [i, [k, x]] of pushes.entries()) await store.push(k, x, i);
        await store.push(key('extract', -1, 'manual__10'), 'return_value', 'other run');
        await store.push(key('extract', -1, 'manual__1', 'etl2'), 'return_value', 'other dag');
        const all = await store.list('etl', 'manual__1');
        expect(ids(all)).toEqual([
          'Zeta[-1].k',
          'extract[-1].A',
          'extract[-1].a',
          'extract[-1].return_value',
          'extract[-1].ü',
          'extract[-1].\uFF21',
          'extract[-1].\u{1F680}',
          'extract.sub[-1].k',
          'load[-1].x',
          'load[0].return_value',
          'load[2].a',
          'load[10].b',
          'load_all[-1].z',
        ]);
        expect(all[0]).toEqual(listed(key('Zeta'), 'k', 8));
        expect(all.at(-1)).toEqual(listed(key('load_all'), 'z', 6));
      });

      it('lists the XComs of one task only', async () => {
        for (const taskId of ['load', 'load_all', 'loa', 'extract'])
          await store.push(key(taskId), 'k', taskId);
        await store.push(key('load', 3), 'k', 'mapped');
        expect(await store.list('etl', 'manual__1', 'load')).toEqual([
          listed(key('load'), 'k', 'load'),
          listed(key('load', 3), 'k', 'mapped'),
        ]);
        expect(await store.list('etl', 'manual__1', 'unknown')).toEqual([]);
      });

      it('lists the latest value of each key, large values included, as copies', async () => {
        const bytes = options.largeValueBytes ?? 200_000;
        const large = { rows: Array.from({ length: Math.ceil(bytes / 10) }, (_, i) => `row-${i}`) };
        await store.push(key('extract'), 'return_value', 'first');
        await store.push(key('extract'), 'return_value', { list: [1] });
        await store.push(key('load', 1), 'return_value', large);
        await store.push(key('load', 0), 'return_value', null);
        const all = await store.list('etl', 'manual__1');
        expect(all).toEqual([
          listed(key('extract'), 'return_value', { list: [1] }),
          listed(key('load', 0), 'return_value', null),
          listed(key('load', 1), 'return_value', large),
        ]);
        expect(await store.list('etl', 'manual__1', 'load')).toEqual(all.slice(1));
        const [first] = all as [ListedXCom];
        (first.value as { list: number[] }).list.push(2);
        first.key.taskId = 'mutated';
        expect(await store.pull(key('extract'), 'return_value')).toEqual({ list: [1] });
        expect((await store.list('etl', 'manual__1', 'extract'))[0]?.key).toEqual(key('extract'));
      });
    });
  });
}
