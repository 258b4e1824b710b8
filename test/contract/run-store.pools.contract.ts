import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PoolAlreadyExistsError, PoolNotFoundError } from '../../functions/ports/pool-store';
import type { RunStore } from '../../functions/ports/run-store';
import type { RunStoreUnderTest } from './run-store.contract';

const DEFAULT = { name: 'default_pool', slots: 128, description: 'Default pool' };

/** The pool part of the RunStore contract: every adapter runs it. */
export function describeRunStorePoolsContract(name: string, create: () => Promise<RunStoreUnderTest>): void {
  describe(`RunStore pools contract: ${name}`, () => {
    let subject: RunStoreUnderTest;
    let store: RunStore;
    beforeEach(async () => {
      subject = await create();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    it('default_pool exists before anyone stores it', async () => {
      expect(await store.getPool('default_pool')).toEqual(DEFAULT);
      expect(await store.listPools()).toEqual([DEFAULT]);
      expect(await store.getPool('etl')).toBeUndefined();
    });

    it('creates, lists sorted by name, and reads back pools', async () => {
      expect(await store.putPool({ name: 'warehouse', slots: 2, description: 'DWH' }, 'create')).toEqual({
        name: 'warehouse',
        slots: 2,
        description: 'DWH',
      });
      await store.putPool({ name: 'api#calls', slots: 0 }, 'create');
      expect(await store.getPool('warehouse')).toEqual({ name: 'warehouse', slots: 2, description: 'DWH' });
      expect((await store.listPools()).map((p) => `${p.name}=${p.slots}`)).toEqual([
        'api#calls=0',
        'default_pool=128',
        'warehouse=2',
      ]);
    });

    it('create refuses an existing pool, default_pool included', async () => {
      await store.putPool({ name: 'p', slots: 1 }, 'create');
      await expect(store.putPool({ name: 'p', slots: 5 }, 'create')).rejects.toBeInstanceOf(
        PoolAlreadyExistsError,
      );
      await expect(store.putPool({ name: 'default_pool', slots: 5 }, 'create')).rejects.toThrow(
        'pool "default_pool" already exists',
      );
      expect(await store.getPool('p')).toEqual({ name: 'p', slots: 1 });
    });

    it('update needs the pool, except the implicit default_pool; it replaces the description', async () => {
      await expect(store.putPool({ name: 'p', slots: 1 }, 'update')).rejects.toBeInstanceOf(
        PoolNotFoundError,
      );
      expect(await store.getPool('p')).toBeUndefined();
      await store.putPool({ name: 'p', slots: 1, description: 'old' }, 'create');
      await store.putPool({ name: 'p', slots: 3 }, 'update');
      expect(await store.getPool('p')).toEqual({ name: 'p', slots: 3 });
      await store.putPool({ name: 'default_pool', slots: 4 }, 'update');
      expect(await store.getPool('default_pool')).toEqual({ name: 'default_pool', slots: 4 });
      expect((await store.listPools()).map((p) => p.slots)).toEqual([4, 3]);
    });

    it('upsert creates or replaces', async () => {
      await store.putPool({ name: 'p', slots: 1 }, 'upsert');
      await store.putPool({ name: 'p', slots: 7, description: 'd' }, 'upsert');
      expect(await store.getPool('p')).toEqual({ name: 'p', slots: 7, description: 'd' });
    });

    it('deletes pools, never default_pool', async () => {
      await store.putPool({ name: 'p', slots: 1 }, 'create');
      expect(await store.deletePool('p')).toBe(true);
      expect(await store.deletePool('p')).toBe(false);
      expect(await store.getPool('p')).toBeUndefined();
      await expect(store.deletePool('default_pool')).rejects.toThrow('default_pool cannot be deleted');
      await store.putPool({ name: 'default_pool', slots: 4 }, 'update');
      await expect(store.deletePool('default_pool')).rejects.toBeInstanceOf(RangeError);
      expect(await store.getPool('default_pool')).toMatchObject({ slots: 4 });
    });

    it('rejects names and sizes it cannot store, naming them', async () => {
      await expect(store.putPool({ name: '', slots: 1 }, 'upsert')).rejects.toThrow(/pool name "" must be/);
      await expect(store.putPool({ name: 'p', slots: -1 }, 'upsert')).rejects.toThrow(
        'pool "p" slots must be a whole number ≥ 0, got -1',
      );
      await expect(store.putPool({ name: 'p', slots: 1.5 }, 'upsert')).rejects.toBeInstanceOf(RangeError);
      expect(await store.listPools()).toEqual([DEFAULT]);
    });

    it('exactly one of two concurrent creates wins', async () => {
      const results = await Promise.allSettled([
        store.putPool({ name: 'p', slots: 1 }, 'create'),
        store.putPool({ name: 'p', slots: 2 }, 'create'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(PoolAlreadyExistsError);
    });

    it('pools do not show up as runs or DAGs', async () => {
      await store.putPool({ name: 'p', slots: 1 }, 'create');
      expect(await store.listActiveRuns()).toEqual([]);
      expect(await store.listDagStates()).toEqual([]);
    });
  });
}
