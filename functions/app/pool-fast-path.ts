import { DEFAULT_POOL } from '../core/model';
import { DEFAULT_POOL_SLOTS } from '../core/pools';
import type { PoolStore } from '../ports/pool-store';

/**
 * Whether a worker may start a task of `pool` itself (mini-scheduler, sensor wake-up) instead of
 * leaving it to the tick. Only the tick counts pool slots across runs, and it is the single
 * writer that admits tasks to a pool (ARCHITECTURE.md, "Pools"), so only `default_pool` at its
 * Airflow size or more, a soft cap, takes the fast path; shrunk, it is a hard cap like any pool.
 */
export async function workerMayQueue(store: PoolStore, pool: string): Promise<boolean> {
  if (pool !== DEFAULT_POOL) return false;
  const size = (await store.getPool(DEFAULT_POOL))?.slots ?? DEFAULT_POOL_SLOTS;
  return size >= DEFAULT_POOL_SLOTS;
}
