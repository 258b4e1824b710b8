import type { ApiClient } from '../api-client';
import { ApiHttpError } from '../api-client';

/** Airflow's `Pool` schema as Updraft's API answers it. */
export interface PoolJson {
  name: string;
  slots: number;
  occupied_slots: number;
  running_slots: number;
  queued_slots: number;
  open_slots: number;
  description: string | null;
}

const seg = encodeURIComponent;

/** Every pool (`GET /pools`, all pages), sorted by name. */
export async function listPools(client: ApiClient): Promise<{ pools: PoolJson[]; total: number }> {
  const pools: PoolJson[] = [];
  for (;;) {
    const page = await client.request<{ pools: PoolJson[]; total_entries: number }>('GET', '/pools', {
      query: { limit: 100, offset: pools.length },
    });
    pools.push(...page.pools);
    if (page.pools.length === 0 || pools.length >= page.total_entries)
      return { pools, total: page.total_entries };
  }
}

/**
 * Creates or resizes a pool (Airflow's `pools set`): PATCH, and POST when it does not exist. A
 * description left out keeps the current one. Returns the pool and whether it was created.
 */
export async function setPool(
  client: ApiClient,
  pool: { name: string; slots: number; description?: string },
): Promise<{ pool: PoolJson; created: boolean }> {
  const mask = pool.description === undefined ? 'slots' : 'slots,description';
  const patch = () =>
    client.request<PoolJson>('PATCH', `/pools/${seg(pool.name)}`, {
      query: { update_mask: mask },
      body: pool,
    });
  try {
    return { pool: await patch(), created: false };
  } catch (error) {
    if (!(error instanceof ApiHttpError) || error.status !== 404) throw error;
  }
  try {
    return { pool: await client.request<PoolJson>('POST', '/pools', { body: pool }), created: true };
  } catch (error) {
    // Someone created it between our two calls: resize theirs.
    if (!(error instanceof ApiHttpError) || error.status !== 409) throw error;
    return { pool: await patch(), created: false };
  }
}

/** `DELETE /pools/{pool_name}`. */
export async function deletePool(client: ApiClient, name: string): Promise<void> {
  await client.request('DELETE', `/pools/${seg(name)}`);
}
