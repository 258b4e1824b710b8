import { describe, expect, it } from 'vitest';
import { apiFixture } from './events';

describe('API: DAGs', () => {
  it('lists DAGs with Airflow field names, filters and pagination', async () => {
    const { call } = await apiFixture();
    const all = await call('GET', '/api/v1/dags');
    expect(all.status).toBe(200);
    expect(all.body.total_entries).toBe(5);
    expect(all.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual([
      'rt_daily',
      'rt_diamond',
      'rt_linear',
      'rt_retried',
      'rt_timeout',
    ]);
    expect(all.body.dags[0]).toMatchObject({
      dag_id: 'rt_daily',
      is_paused: true,
      is_active: true,
      schedule_interval: { __type: 'CronExpression', value: '@daily' },
      fileloc: 'scheduled.dag.ts',
      owners: ['updraft'],
    });
    const page = await call('GET', '/api/v1/dags?limit=2&offset=1&order_by=-dag_id');
    expect(page.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['rt_retried', 'rt_linear']);
    expect(page.body.total_entries).toBe(5);
    const pattern = await call('GET', '/api/v1/dags?dag_id_pattern=LIN');
    expect(pattern.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['rt_linear']);
    const paused = await call('GET', '/api/v1/dags?paused=true');
    expect(paused.body.total_entries).toBe(1);
    expect((await call('GET', '/api/v1/dags?offset=99')).body).toEqual({ dags: [], total_entries: 5 });
  });

  it.each([
    ['/api/v1/dags?limit=0', 'query parameter limit must be a whole number from 1 to 100, got "0"'],
    ['/api/v1/dags?limit=101', 'query parameter limit must be a whole number from 1 to 100, got "101"'],
    [
      '/api/v1/dags?offset=-1',
      'query parameter offset must be a whole number from 0 to 9007199254740991, got "-1"',
    ],
    ['/api/v1/dags?limit=ten', 'query parameter limit must be a whole number from 1 to 100, got "ten"'],
    ['/api/v1/dags?order_by=owner', 'order_by: use dag_id or -dag_id, got "owner"'],
    ['/api/v1/dags?paused=yes', 'query parameter paused must be true or false, got "yes"'],
  ])('answers 400 problem JSON for %s', async (path, detail) => {
    const { call } = await apiFixture();
    const response = await call('GET', path);
    expect(response.status).toBe(400);
    expect(response.type).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, title: 'Bad Request', detail });
    expect(response.body.type).toMatch(/#section\/Errors\/BadRequest$/);
  });

  it('gets one DAG, its details with tasks and params, and 404s an unknown one', async () => {
    const { call } = await apiFixture();
    expect((await call('GET', '/api/v1/dags/rt_linear')).body).toMatchObject({
      dag_id: 'rt_linear',
      is_paused: false,
    });
    const details = await call('GET', '/api/v1/dags/rt_linear/details');
    expect(details.body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual([
      'extract',
      'total',
      'report',
    ]);
    expect(details.body.bundle_version).toMatch(/^[0-9a-f]{16}$/);
    const missing = await call('GET', '/api/v1/dags/nope');
    expect(missing).toMatchObject({
      status: 404,
      body: { title: 'DAG not found', detail: "DAG with dag_id: 'nope' not found" },
    });
  });

  it('pauses and unpauses with PATCH and update_mask', async () => {
    const { call } = await apiFixture();
    const paused = await call('PATCH', '/api/v1/dags/rt_linear?update_mask=is_paused', {
      body: { is_paused: true },
    });
    expect(paused.body.is_paused).toBe(true);
    expect((await call('GET', '/api/v1/dags/rt_linear')).body.is_paused).toBe(true);
    expect(
      (await call('PATCH', '/api/v1/dags/rt_linear', { body: { is_paused: 'no' } })).body.detail,
    ).toMatch(/^is_paused: /);
    expect(
      (await call('PATCH', '/api/v1/dags/rt_linear?update_mask=owners', { body: { is_paused: false } }))
        .status,
    ).toBe(400);
    expect(
      (await call('PATCH', '/api/v1/dags/rt_linear', { body: { is_paused: false, owners: ['x'] } })).status,
    ).toBe(400);
  });
});

describe('API: DAG runs', () => {
  it('triggers a run with conf (the book’s chapter 6 curl), kicks the scheduler, and 409s a duplicate', async () => {
    const { call, kicks } = await apiFixture();
    const created = await call('POST', '/api/v1/dags/rt_linear/dagRuns', {
      body: { conf: { source: 'curl' } },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      dag_id: 'rt_linear',
      state: 'queued',
      conf: { source: 'curl' },
      run_type: 'manual',
      external_trigger: true,
    });
    expect(created.body.dag_run_id).toMatch(/^manual__\d{4}-\d{2}-\d{2}T.*\+00:00$/);
    expect(created.body.logical_date).toMatch(/\+00:00$/);
    expect(kicks()).toBe(1);
    const named = { dag_run_id: 'my_run', logical_date: '2024-05-01T00:00:00Z' };
    expect((await call('POST', '/api/v1/dags/rt_linear/dagRuns', { body: named })).status).toBe(200);
    const duplicateId = await call('POST', '/api/v1/dags/rt_linear/dagRuns', {
      body: { dag_run_id: 'my_run' },
    });
    expect(duplicateId).toMatchObject({ status: 409, body: { title: 'DAGRun already exists' } });
    const duplicateDate = await call('POST', '/api/v1/dags/rt_linear/dagRuns', {
      body: { logical_date: '2024-05-01T00:00:00+00:00' },
    });
    expect(duplicateDate.status).toBe(409);
  });

  it.each([
    [{ conf: [] }, /^conf: /],
    [{ conf: 'x' }, /^conf: /],
    [{ logical_date: 'yesterday' }, /^logical_date: /],
    [{ dag_run_id: '' }, /^dag_run_id: /],
    [{ dag_run_id: 'a/b' }, /^dag_run_id: /],
    [{ state: 'success' }, /Unrecognized key/],
    ['{not json', /request body is not valid JSON/],
    [{ logical_date: '2024-01-01T00:00:00Z', execution_date: '2024-01-02T00:00:00Z' }, /differ/],
  ])('refuses trigger body %j with 400 and no run created', async (body, detail) => {
    const { call, ports } = await apiFixture();
    const response = await call('POST', '/api/v1/dags/rt_linear/dagRuns', { body });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(detail);
    expect(await ports.store.listActiveRuns()).toEqual([]);
  });

  it('lists runs with state filter, order and pagination; gets, marks and deletes one', async () => {
    const { call, trigger, harness } = await apiFixture();
    const first = await trigger('rt_linear');
    harness.clock.advance(60);
    const second = await trigger('rt_linear');
    const list = await call('GET', '/api/v1/dags/rt_linear/dagRuns?order_by=-logical_date');
    expect(list.body.total_entries).toBe(2);
    expect(list.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id)).toEqual([
      second.runId,
      first.runId,
    ]);
    expect(
      (await call('GET', '/api/v1/dags/rt_linear/dagRuns?limit=1&offset=1')).body.dag_runs[0].dag_run_id,
    ).toBe(second.runId);
    expect((await call('GET', '/api/v1/dags/rt_linear/dagRuns?state=running')).body.total_entries).toBe(0);
    expect((await call('GET', '/api/v1/dags/rt_linear/dagRuns?state=bogus')).status).toBe(400);
    const path = `/api/v1/dags/rt_linear/dagRuns/${encodeURIComponent(first.runId)}`;
    expect((await call('GET', path)).body).toMatchObject({ dag_run_id: first.runId, state: 'queued' });
    const marked = await call('PATCH', path, { body: { state: 'failed' } });
    expect(marked.body).toMatchObject({ state: 'failed', reason: 'marked failed by hand' });
    expect((await call('PATCH', path, { body: { state: 'running' } })).status).toBe(400);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('DELETE', path)).status).toBe(404);
  });
});

describe('API: authentication and routing', () => {
  it('requires the bearer token on every route but health', async () => {
    const { call } = await apiFixture();
    expect((await call('GET', '/api/v1/dags', { token: null })).status).toBe(401);
    expect((await call('GET', '/api/v1/dags', { token: 'wrong-token' })).status).toBe(403);
    expect((await call('GET', '/api/v1/health', { token: null })).status).toBe(200);
  });

  it('answers 404 for unknown paths and 405 for unknown methods', async () => {
    const { call } = await apiFixture();
    expect((await call('GET', '/api/v1/nope')).status).toBe(404);
    expect((await call('PUT', '/api/v1/dags/rt_linear')).status).toBe(405);
  });
});

describe('API: triggering with an explicit data interval (Airflow 2.8)', () => {
  it('uses the given interval, and refuses half of one or a reversed one', async () => {
    const { call } = await apiFixture();
    const body = {
      logical_date: '2024-01-02T00:00:00Z',
      data_interval_start: '2024-01-02T00:00:00Z',
      data_interval_end: '2024-01-03T00:00:00Z',
    };
    const created = await call('POST', '/api/v1/dags/rt_daily/dagRuns', { body });
    expect(created.body).toMatchObject({
      data_interval_start: '2024-01-02T00:00:00+00:00',
      data_interval_end: '2024-01-03T00:00:00+00:00',
    });
    const half = await call('POST', '/api/v1/dags/rt_daily/dagRuns', {
      body: { data_interval_start: body.data_interval_start },
    });
    expect(half.body.detail).toBe('data_interval_start and data_interval_end must be given together');
    const reversed = {
      ...body,
      logical_date: '2024-01-05T00:00:00Z',
      data_interval_end: '2024-01-01T00:00:00Z',
    };
    expect((await call('POST', '/api/v1/dags/rt_daily/dagRuns', { body: reversed })).body.detail).toBe(
      'data_interval_end is before data_interval_start',
    );
  });
});
