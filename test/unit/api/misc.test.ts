import { describe, expect, it, vi } from 'vitest';
import { createApiHandler } from '../../../functions/runtime/handlers/api-handler';
import { createApiRouter } from '../../../functions/runtime/http/api';
import { bearerAuthorizer } from '../../../functions/runtime/http/auth';
import { ManualClock, memoryPorts } from '../../helpers/runtime-harness';
import { apiEvent, TOKEN } from './events';

/** The API over empty memory ports: these routes need no DAGs, so no bundle is built. */
function apiFixture() {
  const ports = memoryPorts();
  const router = createApiRouter({ ...ports, clock: new ManualClock() });
  const handler = createApiHandler(router, bearerAuthorizer(TOKEN));
  const call = async (...args: Parameters<typeof apiEvent>) => {
    const result = await handler(apiEvent(...args));
    const type = String(result.headers?.['content-type'] ?? '');
    return {
      status: result.statusCode,
      body: type.includes('json') ? JSON.parse(result.body ?? '') : result.body,
      type,
    };
  };
  return { ports, call };
}

const ERRORS = [
  {
    timestamp: '2024-05-01T10:00:00.000Z',
    filename: 'zeta.dag.ts',
    message: 'zeta.dag.ts: DAG "z": task "a" depends on unknown task "b"',
  },
  {
    timestamp: '2024-05-01T09:00:00.000Z',
    filename: 'alpha.dag.ts',
    message: 'alpha.dag.ts: SyntaxError: Unexpected token',
  },
  { timestamp: '2024-05-01T11:00:00.000Z', filename: 'mid.dag.ts', message: 'mid.dag.ts: cycle a → b → a' },
];

describe('API: health', () => {
  it('answers without credentials, in Airflow shape', async () => {
    const { call } = apiFixture();
    const response = await call('GET', '/api/v1/health', { token: null });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      metadatabase: { status: 'healthy' },
      scheduler: { status: 'healthy', latest_scheduler_heartbeat: null },
    });
  });

  it('reports an unreachable store as unhealthy with a 200, as Airflow does', async () => {
    const { call, ports } = apiFixture();
    ports.store.getDagStates = async () => {
      throw new Error('ECONNREFUSED');
    };
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const response = await call('GET', '/api/v1/health', { token: null });
    expect(response).toMatchObject({ status: 200, body: { metadatabase: { status: 'unhealthy' } } });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('"error":"ECONNREFUSED"'));
    log.mockRestore();
  });
});

describe('API: import errors', () => {
  it('lists none before any failed build', async () => {
    const { call } = apiFixture();
    expect((await call('GET', '/api/v1/importErrors')).body).toEqual({ import_errors: [], total_entries: 0 });
  });

  it('lists recorded errors with ids, ordering and pagination', async () => {
    const { call, ports } = apiFixture();
    await ports.bundles.recordImportErrors(ERRORS);
    const all = await call('GET', '/api/v1/importErrors');
    expect(all.body.total_entries).toBe(3);
    expect(all.body.import_errors[0]).toEqual({
      import_error_id: 1,
      timestamp: '2024-05-01T10:00:00+00:00',
      filename: 'zeta.dag.ts',
      stack_trace: ERRORS[0]!.message,
    });
    const files = async (query: string) =>
      (await call('GET', `/api/v1/importErrors?${query}`)).body.import_errors.map(
        (e: { filename: string }) => e.filename,
      );
    expect(await files('order_by=filename')).toEqual(['alpha.dag.ts', 'mid.dag.ts', 'zeta.dag.ts']);
    expect(await files('order_by=-timestamp')).toEqual(['mid.dag.ts', 'zeta.dag.ts', 'alpha.dag.ts']);
    expect(await files('order_by=-import_error_id&limit=1&offset=1')).toEqual(['alpha.dag.ts']);
    expect((await call('GET', '/api/v1/importErrors?offset=5')).body).toEqual({
      import_errors: [],
      total_entries: 3,
    });
  });

  it('gets one error by id', async () => {
    const { call, ports } = apiFixture();
    await ports.bundles.recordImportErrors(ERRORS);
    expect((await call('GET', '/api/v1/importErrors/2')).body).toMatchObject({
      import_error_id: 2,
      filename: 'alpha.dag.ts',
    });
    const missing = await call('GET', '/api/v1/importErrors/4');
    expect(missing).toMatchObject({ status: 404, body: { title: 'Import error not found' } });
    expect((await call('GET', '/api/v1/importErrors/0')).status).toBe(404);
  });

  it('clears the list after a good build', async () => {
    const { call, ports } = apiFixture();
    await ports.bundles.recordImportErrors(ERRORS);
    await ports.bundles.recordImportErrors([]);
    expect((await call('GET', '/api/v1/importErrors')).body.total_entries).toBe(0);
  });

  it.each([
    [
      '/api/v1/importErrors?order_by=message',
      400,
      /^order_by: use one of import_error_id, timestamp, filename/,
    ],
    ['/api/v1/importErrors?limit=0', 400, /query parameter limit/],
    ['/api/v1/importErrors/one', 400, 'path parameter import_error_id must be a whole number, got "one"'],
  ])('%s answers %i', async (path, status, detail) => {
    const { call } = apiFixture();
    expect(await call('GET', path)).toMatchObject({ status, body: { status, detail } });
  });

  it('requires credentials', async () => {
    const { call } = apiFixture();
    expect((await call('GET', '/api/v1/importErrors', { token: null })).status).toBe(401);
  });
});
