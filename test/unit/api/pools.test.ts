import { describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createApiHandler } from '../../../functions/runtime/handlers/api-handler';
import { createApiRouter } from '../../../functions/runtime/http/api';
import { bearerAuthorizer } from '../../../functions/runtime/http/auth';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';
import { apiEvent, TOKEN } from './events';

/** The API over memory ports with the pool fixture DAGs published. */
async function poolsFixture() {
  const ports = memoryPorts();
  const harness = createHarness(ports);
  await publishDags(ports.bundles, 'test/fixtures/dags/pools');
  const handler = createApiHandler(
    createApiRouter({ ...ports, clock: harness.clock }),
    bearerAuthorizer(TOKEN),
  );
  const call = async (...args: Parameters<typeof apiEvent>) => {
    const result = await handler(apiEvent(...args));
    const type = String(result.headers?.['content-type'] ?? '');
    return {
      status: result.statusCode,
      body: result.body && type.includes('json') ? JSON.parse(result.body) : result.body,
    };
  };
  const trigger = async (dagId: string) => {
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId });
    if (!result.ok) throw new Error(result.message);
  };
  return { ports, harness, call, trigger };
}

const DEFAULT_POOL_JSON = {
  name: 'default_pool',
  slots: 128,
  occupied_slots: 0,
  running_slots: 0,
  queued_slots: 0,
  open_slots: 128,
  description: 'Default pool',
};

describe('API: pools', () => {
  it('lists default_pool before any pool exists', async () => {
    const { call } = await poolsFixture();
    expect(await call('GET', '/api/v1/pools')).toEqual({
      status: 200,
      body: { pools: [DEFAULT_POOL_JSON], total_entries: 1 },
    });
  });

  it('creates a pool, refuses a duplicate with 409, and reads it back', async () => {
    const { call } = await poolsFixture();
    const created = await call('POST', '/api/v1/pools', {
      body: { name: 'warehouse', slots: 2, description: 'DWH' },
    });
    expect(created).toEqual({
      status: 200,
      body: { ...DEFAULT_POOL_JSON, name: 'warehouse', slots: 2, open_slots: 2, description: 'DWH' },
    });
    const again = await call('POST', '/api/v1/pools', { body: { name: 'warehouse', slots: 5 } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      title: 'Pool already exists',
      detail: 'Pool: warehouse already exists',
    });
    expect((await call('GET', '/api/v1/pools/warehouse')).body).toMatchObject({ slots: 2 });
    expect((await call('POST', '/api/v1/pools', { body: { name: 'default_pool', slots: 5 } })).status).toBe(
      409,
    );
  });

  it('shows the slots queued and running instances hold, weighted by poolSlots', async () => {
    const { call, ports, harness, trigger } = await poolsFixture();
    await ports.store.putPool({ name: 'warehouse', slots: 2 }, 'create');
    await trigger('pool_roots');
    await harness.tick();
    const [first] = await ports.receive();
    await ports.store.updateTaskInstance(
      { dagId: first!.dagId, runId: first!.runId, taskId: first!.taskId, mapIndex: first!.mapIndex },
      { state: 'queued', tryNumber: 1 },
      { state: 'running' },
    );
    expect((await call('GET', '/api/v1/pools/warehouse')).body).toEqual({
      name: 'warehouse',
      slots: 2,
      occupied_slots: 2,
      running_slots: 1,
      queued_slots: 1,
      open_slots: 0,
      description: null,
    });
    // Shrunk below what it holds: open slots go negative, as in Airflow.
    await ports.store.putPool({ name: 'warehouse', slots: 1 }, 'update');
    expect((await call('GET', '/api/v1/pools/warehouse')).body).toMatchObject({ open_slots: -1 });
  });

  it('paginates and orders by name', async () => {
    const { call, ports } = await poolsFixture();
    for (const name of ['c', 'a', 'b']) await ports.store.putPool({ name, slots: 1 }, 'create');
    const page = await call('GET', '/api/v1/pools?limit=2&offset=1');
    expect(page.body.pools.map((p: { name: string }) => p.name)).toEqual(['b', 'c']);
    expect(page.body.total_entries).toBe(4);
    const desc = await call('GET', '/api/v1/pools?order_by=-name&limit=1');
    expect(desc.body.pools.map((p: { name: string }) => p.name)).toEqual(['default_pool']);
    expect((await call('GET', '/api/v1/pools?order_by=slots')).status).toBe(400);
  });

  it('patches with and without update_mask; default_pool can be resized', async () => {
    const { call, ports } = await poolsFixture();
    await ports.store.putPool({ name: 'p', slots: 1, description: 'keep' }, 'create');
    const masked = await call('PATCH', '/api/v1/pools/p?update_mask=slots', {
      body: { slots: 4, description: 'ignored' },
    });
    expect(masked.body).toMatchObject({ name: 'p', slots: 4, description: 'keep' });
    const full = await call('PATCH', '/api/v1/pools/p', { body: { name: 'p', slots: 3, description: null } });
    expect(full.body).toMatchObject({ slots: 3, description: null });
    const resized = await call('PATCH', '/api/v1/pools/default_pool?update_mask=slots', {
      body: { slots: 8 },
    });
    expect(resized.body).toMatchObject({ name: 'default_pool', slots: 8, open_slots: 8 });
    expect(await ports.store.getPool('default_pool')).toMatchObject({ slots: 8 });
  });

  it.each<[name: string, method: string, path: string, body: unknown, status: number, detail: RegExp]>([
    ['negative slots', 'POST', '/api/v1/pools', { name: 'p', slots: -1 }, 400, /^slots: /],
    ['fractional slots', 'POST', '/api/v1/pools', { name: 'p', slots: 1.5 }, 400, /^slots: /],
    ['missing name', 'POST', '/api/v1/pools', { slots: 1 }, 400, /^name: /],
    ['unknown field', 'POST', '/api/v1/pools', { name: 'p', slots: 1, size: 2 }, 400, /size/],
    ['empty name', 'POST', '/api/v1/pools', { name: '', slots: 1 }, 400, /pool name "" must be/],
    ['not JSON', 'POST', '/api/v1/pools', '{nope', 400, /not valid JSON/],
    ['unknown pool', 'GET', '/api/v1/pools/nope', undefined, 404, /Pool with name:'nope' not found/],
    ['patch unknown pool', 'PATCH', '/api/v1/pools/nope', { name: 'nope', slots: 1 }, 404, /nope/],
    [
      'patch without mask or slots',
      'PATCH',
      '/api/v1/pools/default_pool',
      { name: 'default_pool' },
      400,
      /required/,
    ],
    [
      'patch with a bad mask',
      'PATCH',
      '/api/v1/pools/default_pool?update_mask=occupied_slots',
      { slots: 1 },
      400,
      /update_mask/,
    ],
    ['rename', 'PATCH', '/api/v1/pools/default_pool', { name: 'other', slots: 1 }, 400, /cannot be renamed/],
    ['delete unknown pool', 'DELETE', '/api/v1/pools/nope', undefined, 404, /nope/],
    [
      'delete default_pool',
      'DELETE',
      '/api/v1/pools/default_pool',
      undefined,
      400,
      /default_pool cannot be deleted/,
    ],
  ])('answers %s with problem JSON', async (_name, method, path, body, status, detail) => {
    const { call } = await poolsFixture();
    const response = await call(method, path, body === undefined ? {} : { body });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ status, type: expect.stringContaining('#section/Errors/') });
    expect(response.body.detail).toMatch(detail);
  });

  it('deletes a pool with 204, then it is gone', async () => {
    const { call, ports } = await poolsFixture();
    await ports.store.putPool({ name: 'p', slots: 1 }, 'create');
    expect((await call('DELETE', '/api/v1/pools/p')).status).toBe(204);
    expect((await call('GET', '/api/v1/pools/p')).status).toBe(404);
  });

  it('needs credentials like every other route', async () => {
    const { call } = await poolsFixture();
    expect((await call('GET', '/api/v1/pools', { token: null })).status).toBe(401);
    expect(
      (await call('POST', '/api/v1/pools', { token: 'wrong', body: { name: 'p', slots: 1 } })).status,
    ).toBe(403);
  });
});
