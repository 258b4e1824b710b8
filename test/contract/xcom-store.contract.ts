import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../functions/core/model';
import type { TaskInstanceKey } from '../../functions/core/records';
import { type XComStore, XComTooLargeError } from '../../functions/ports/xcom-store';

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
  });
}
