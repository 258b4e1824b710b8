import { DEFAULT_POOL } from './model';

/** A pool (Airflow's Pool): a named number of slots shared by every task that names it, across runs and DAGs. */
export interface PoolRecord {
  name: string;
  /** Slots the pool has; a task instance holds its `poolSlots` of them while queued or running. */
  slots: number;
  description?: string;
}

/** Size of `default_pool` until someone resizes it (Airflow's `default_pool_task_slot_count`). */
export const DEFAULT_POOL_SLOTS = 128;

/** `default_pool` as it exists before anyone stores it: it is implicit, never missing. */
export const IMPLICIT_DEFAULT_POOL: Readonly<PoolRecord> = {
  name: DEFAULT_POOL,
  slots: DEFAULT_POOL_SLOTS,
  description: 'Default pool',
};

/** Longest pool name (Airflow's column length). */
export const MAX_POOL_NAME_LENGTH = 256;

/** Why a pool name or size cannot be stored, or undefined when it can. */
export function poolProblem(pool: Pick<PoolRecord, 'name' | 'slots'>): string | undefined {
  if (pool.name.length === 0 || pool.name.length > MAX_POOL_NAME_LENGTH || pool.name.trim() !== pool.name)
    return `pool name ${JSON.stringify(pool.name)} must be 1–${MAX_POOL_NAME_LENGTH} characters without surrounding spaces`;
  if (!Number.isSafeInteger(pool.slots) || pool.slots < 0)
    return `pool "${pool.name}" slots must be a whole number ≥ 0, got ${pool.slots}`;
  return undefined;
}

/** Pools listed by a store plus the implicit `default_pool` when it was never stored, sorted by name. */
export function withDefaultPool(stored: readonly PoolRecord[]): PoolRecord[] {
  const pools = stored.some((p) => p.name === DEFAULT_POOL)
    ? [...stored]
    : [...stored, { ...IMPLICIT_DEFAULT_POOL }];
  return pools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
