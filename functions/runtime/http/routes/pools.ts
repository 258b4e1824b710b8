import { z } from 'zod';
import { readPoolUsage } from '../../../app/pool-usage';
import { DEFAULT_POOL } from '../../../core/model';
import type { PoolUsage } from '../../../core/pool-usage';
import type { PoolRecord } from '../../../core/pools';
import { PoolAlreadyExistsError, PoolNotFoundError, type PoolWriteMode } from '../../../ports/pool-store';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, notFound } from '../problem';
import { jsonBody, pagination } from '../request';
import type { Router } from '../router';

const poolFields = {
  name: z.string(),
  slots: z.number().int().nonnegative(),
  description: z.string().nullable().optional(),
  // Updraft has no deferred tasks, so there is nothing to include; accepted for Airflow clients.
  include_deferred: z.boolean().optional(),
};
const createSchema = z.object(poolFields).strict();
const patchSchema = z.object(poolFields).partial().strict();
const MASKABLE = new Set(['name', 'slots', 'description', 'include_deferred']);

/** `/pools` and `/pools/{pool_name}` (Airflow's Pool endpoints). */
export function registerPoolRoutes(router: Router, deps: ApiDeps): void {
  router.on('GET', '/api/v1/pools', async (request) => {
    const { limit, offset } = pagination(request);
    const order = request.query.order_by ?? 'name';
    if (order !== 'name' && order !== '-name')
      throw badRequest(`order_by: use name or -name, got ${JSON.stringify(order)}`);
    const pools = await deps.store.listPools();
    if (order === '-name') pools.reverse();
    const usage = await readPoolUsage(deps);
    const page = pools.slice(offset, offset + limit);
    return { status: 200, body: { pools: page.map((p) => poolJson(p, usage)), total_entries: pools.length } };
  });

  router.on('POST', '/api/v1/pools', async (request) => {
    const body = jsonBody(request, createSchema);
    const pool = await write(deps, toRecord(body.name, body), 'create');
    return { status: 200, body: poolJson(pool, await readPoolUsage(deps)) };
  });

  router.on('GET', '/api/v1/pools/{pool_name}', async ({ params }) => {
    const pool = await found(deps, params.pool_name!);
    return { status: 200, body: poolJson(pool, await readPoolUsage(deps)) };
  });

  router.on('PATCH', '/api/v1/pools/{pool_name}', async (request) => {
    const name = request.params.pool_name!;
    const mask = updateMask(request.query.update_mask);
    const body = jsonBody(request, patchSchema);
    if (!mask && (body.name === undefined || body.slots === undefined))
      throw badRequest('body: name and slots are required without update_mask');
    const fields = mask ? pick(body, mask) : body;
    if (fields.name !== undefined && fields.name !== name)
      throw badRequest(
        `name: pools cannot be renamed ("${name}" → "${fields.name}"); create a new pool instead`,
      );
    const current = await found(deps, name);
    const description = fields.description === undefined ? current.description : fields.description;
    const pool = await write(
      deps,
      toRecord(name, { slots: fields.slots ?? current.slots, description: description ?? null }),
      'update',
    );
    return { status: 200, body: poolJson(pool, await readPoolUsage(deps)) };
  });

  router.on('DELETE', '/api/v1/pools/{pool_name}', async ({ params }) => {
    const name = params.pool_name!;
    // Airflow answers 400 too: tasks without a pool run in default_pool, so it must exist.
    if (name === DEFAULT_POOL) throw badRequest('default_pool cannot be deleted; resize it instead');
    if (!(await deps.store.deletePool(name))) throw poolNotFound(name);
    return { status: 204 };
  });
}

/** A pool as Airflow's `Pool` schema; occupancy is what the scheduler counts now. */
function poolJson(pool: PoolRecord, usage: ReadonlyMap<string, PoolUsage>) {
  const held = usage.get(pool.name) ?? { queued: 0, running: 0 };
  const occupied = held.queued + held.running;
  return {
    name: pool.name,
    slots: pool.slots,
    occupied_slots: occupied,
    running_slots: held.running,
    queued_slots: held.queued,
    // Negative after a pool shrank below what it holds, as in Airflow: nothing new starts until it drains.
    open_slots: pool.slots - occupied,
    description: pool.description ?? null,
  };
}

function toRecord(
  name: string,
  body: { slots: number; description?: string | null | undefined },
): PoolRecord {
  return {
    name,
    slots: body.slots,
    ...(typeof body.description === 'string' && { description: body.description }),
  };
}

async function found(deps: ApiDeps, name: string): Promise<PoolRecord> {
  const pool = await deps.store.getPool(name);
  if (!pool) throw poolNotFound(name);
  return pool;
}

async function write(deps: ApiDeps, pool: PoolRecord, mode: PoolWriteMode): Promise<PoolRecord> {
  try {
    return await deps.store.putPool(pool, mode);
  } catch (error) {
    if (error instanceof PoolAlreadyExistsError)
      throw new ApiError(409, 'Pool already exists', `Pool: ${pool.name} already exists`, { cause: error });
    if (error instanceof PoolNotFoundError) throw poolNotFound(pool.name);
    if (error instanceof RangeError) throw badRequest(error.message);
    throw error;
  }
}

function poolNotFound(name: string): ApiError {
  return notFound('Pool not found', `Pool with name:'${name}' not found`);
}

/** The fields of `update_mask` (comma-separated), or undefined when absent; 400 for unknown fields. */
function updateMask(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = fields.filter((f) => !MASKABLE.has(f));
  if (fields.length === 0 || unknown.length > 0)
    throw badRequest(
      `update_mask: use name, slots, description or include_deferred, got ${JSON.stringify(raw)}`,
    );
  return new Set(fields);
}

function pick<T extends object>(body: T, mask: ReadonlySet<string>): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => mask.has(key))) as Partial<T>;
}
