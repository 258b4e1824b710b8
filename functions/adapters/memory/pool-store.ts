import { DEFAULT_POOL } from '../../core/model';
import { IMPLICIT_DEFAULT_POOL, type PoolRecord, poolProblem, withDefaultPool } from '../../core/pools';
import {
  defaultPoolNotDeletable,
  PoolAlreadyExistsError,
  PoolNotFoundError,
  type PoolStore,
  type PoolWriteMode,
} from '../../ports/pool-store';

/** Pools in process memory with the DynamoDB adapter's semantics (MemoryRunStore delegates here). */
export class MemoryPoolStore implements PoolStore {
  private readonly pools = new Map<string, PoolRecord>();

  async getPool(name: string): Promise<PoolRecord | undefined> {
    const pool = this.pools.get(name) ?? (name === DEFAULT_POOL ? IMPLICIT_DEFAULT_POOL : undefined);
    return pool && structuredClone(pool);
  }

  async listPools(): Promise<PoolRecord[]> {
    return withDefaultPool([...this.pools.values()].map((p) => structuredClone(p)));
  }

  async putPool(pool: PoolRecord, mode: PoolWriteMode): Promise<PoolRecord> {
    const problem = poolProblem(pool);
    if (problem) throw new RangeError(problem);
    const exists = this.pools.has(pool.name) || pool.name === DEFAULT_POOL;
    if (mode === 'create' && exists) throw new PoolAlreadyExistsError(pool.name);
    if (mode === 'update' && !exists) throw new PoolNotFoundError(pool.name);
    const stored: PoolRecord = {
      name: pool.name,
      slots: pool.slots,
      ...(pool.description !== undefined && { description: pool.description }),
    };
    this.pools.set(pool.name, stored);
    return structuredClone(stored);
  }

  async deletePool(name: string): Promise<boolean> {
    if (name === DEFAULT_POOL) throw defaultPoolNotDeletable();
    return this.pools.delete(name);
  }
}
