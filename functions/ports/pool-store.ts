import type { PoolRecord } from '../core/pools';

/** How `putPool` treats an existing pool: Airflow's POST (create), PATCH (update) and `pools set` (upsert). */
export type PoolWriteMode = 'create' | 'update' | 'upsert';

/**
 * Pools, part of the RunStore (the same table). `default_pool` always exists: read as
 * IMPLICIT_DEFAULT_POOL until it is stored, updatable, never deletable.
 */
export interface PoolStore {
  /** One pool, read consistently; undefined when it does not exist. */
  getPool(name: string): Promise<PoolRecord | undefined>;
  /** Every pool sorted by name, read consistently (the scheduler decides with it), without a Scan. */
  listPools(): Promise<PoolRecord[]>;
  /**
   * Writes a pool (conditional on `mode`): `create` throws PoolAlreadyExistsError when it
   * exists (also `default_pool`), `update` throws PoolNotFoundError when it does not.
   */
  putPool(pool: PoolRecord, mode: PoolWriteMode): Promise<PoolRecord>;
  /** Deletes a pool; false when it did not exist. RangeError for `default_pool`, which cannot go. */
  deletePool(name: string): Promise<boolean>;
}

/** A pool with this name exists already (Airflow's 409). */
export class PoolAlreadyExistsError extends Error {
  override readonly name = 'PoolAlreadyExistsError';
  constructor(
    readonly pool: string,
    options?: ErrorOptions,
  ) {
    super(`pool "${pool}" already exists; update it instead`, options);
  }
}

/** No pool has this name (Airflow's 404). */
export class PoolNotFoundError extends Error {
  override readonly name = 'PoolNotFoundError';
  constructor(
    readonly pool: string,
    options?: ErrorOptions,
  ) {
    super(`pool "${pool}" does not exist; create it first`, options);
  }
}

/** The RangeError `deletePool` throws for `default_pool` (Airflow refuses it too). */
export function defaultPoolNotDeletable(): RangeError {
  return new RangeError('default_pool cannot be deleted; resize it instead');
}
