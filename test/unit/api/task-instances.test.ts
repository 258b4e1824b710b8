import { beforeAll, describe, expect, it } from 'vitest';
import { serializeManifest } from '../../../functions/adapters/shared/manifest-codec';
import type { Manifest } from '../../../functions/core/model';
import type { DagRunRecord } from '../../../functions/core/records';
import { dagSpec, taskSpec } from '../../helpers/specs';
import { apiFixture } from './events';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
const ids = (body: { task_instances: { task_id: string; map_index: number }[] }) =>
  body.task_instances.map((t) => (t.map_index >= 0 ? `${t.task_id}[${t.map_index}]` : t.task_id));
const tiPath = (dagId: string, runId: string, rest = '') =>
  `/api/v1/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances${rest}`;

/** Triggers rt_linear and runs it to success with the real scheduler and worker handlers. */
async function linearRun(fixture: Fixture): Promise<DagRunRecord> {
  const run = await fixture.trigger('rt_linear');
  await fixture.harness.tick();
  await fixture.harness.drain();
  return run;
}

/** A DAG with a mapped task (`make` → `each[i]` → `after`), published by hand, and a run of it. */
async function mappedRun(fixture: Fixture, mapped: 'expanded' | 'unexpanded'): Promise<DagRunRecord> {
  const dag = dagSpec('api_mapped', {
    tasks: [
      taskSpec('make'),
      taskSpec('each', {
        upstream: ['make'],
        mapped: { over: { kind: 'xcom', taskId: 'make', key: 'return_value' } },
      }),
      taskSpec('after', { upstream: ['each'], pool: 'small_pool' }),
    ],
  });
  const manifest: Manifest = { schemaVersion: 1, version: 'vmapped', dags: [dag] };
  await fixture.ports.bundles.publish(
    'vmapped',
    new Map([['manifest.json', new TextEncoder().encode(serializeManifest(manifest))]]),
  );
  const at = '2024-05-01T00:00:00.000Z';
  const run: DagRunRecord = {
    dagId: 'api_mapped',
    runId: 'manual__2024-05-01T00:00:00+00:00',
    runType: 'manual',
    state: 'running',
    logicalDate: at,
    dataIntervalStart: at,
    dataIntervalEnd: at,
    runAfter: at,
    conf: {},
    bundleVersion: 'vmapped',
    externalTrigger: true,
    queuedAt: at,
  };
  await fixture.ports.store.createRun(run);
  const key = (taskId: string, mapIndex = -1) => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex });
  const none = { state: 'none' as const, tryNumber: 0 };
  await fixture.ports.store.updateTaskInstance(key('make'), none, {
    state: 'success',
    tryNumber: 1,
    xcomLength: 3,
  });
  if (mapped === 'expanded') {
    // Stored out of order: the API sorts by map index.
    for (const [i, state] of [
      [2, 'failed'],
      [0, 'success'],
      [1, 'running'],
    ] as const) {
      await fixture.ports.store.updateTaskInstance(key('each', i), none, { state, tryNumber: 1 });
    }
  }
  return run;
}

describe('API: task instances', () => {
  it('lists every task of the DAG, with state null before it ran, in topological order', async () => {
    const fixture = await apiFixture();
    const run = await fixture.trigger('rt_diamond');
    const response = await fixture.call('GET', tiPath('rt_diamond', run.runId));
    expect(response.status).toBe(200);
    expect(ids(response.body)).toEqual(['start', 'left', 'right', 'join']);
    expect(response.body.total_entries).toBe(4);
    expect(response.body.task_instances[0]).toMatchObject({
      task_id: 'start',
      dag_id: 'rt_diamond',
      dag_run_id: run.runId,
      state: null,
      try_number: 0,
      map_index: -1,
      start_date: null,
      end_date: null,
      duration: null,
      operator: 'empty',
      pool: 'default_pool',
    });
  });

  it("shows the instances of a finished run with Airflow's fields", async () => {
    const fixture = await apiFixture();
    const run = await linearRun(fixture);
    const { body } = await fixture.call('GET', tiPath('rt_linear', run.runId));
    expect(ids(body)).toEqual(['extract', 'total', 'report']);
    const extract = body.task_instances[0];
    expect(extract).toMatchObject({
      state: 'success',
      try_number: 1,
      max_tries: 0,
      operator: 'function',
      executor: 'lambda',
    });
    expect(extract.execution_date).toMatch(/\+00:00$/);
    expect(extract.start_date).toMatch(/\+00:00$/);
    expect(extract.duration).toBeGreaterThanOrEqual(0);
  });

  it('paginates with limit and offset, counting every matching instance', async () => {
    const fixture = await apiFixture();
    const run = await linearRun(fixture);
    const page = async (query: string) =>
      (await fixture.call('GET', tiPath('rt_linear', run.runId, `?${query}`))).body;
    expect(ids(await page('limit=2'))).toEqual(['extract', 'total']);
    expect(await page('limit=2')).toMatchObject({ total_entries: 3 });
    expect(ids(await page('limit=2&offset=2'))).toEqual(['report']);
    expect(ids(await page('offset=3'))).toEqual([]);
    expect(await page('offset=99')).toEqual({ task_instances: [], total_entries: 3 });
    expect(ids(await page('limit=1&offset=1'))).toEqual(['total']);
  });

  it('filters by state (repeated or comma-separated, none for not yet run) and pool', async () => {
    const fixture = await apiFixture();
    const run = await fixture.trigger('rt_linear');
    await fixture.harness.tick();
    await fixture.harness.deliver(await fixture.ports.receive()); // extract runs, total is queued
    const query = async (q: string) =>
      (await fixture.call('GET', tiPath('rt_linear', run.runId, `?${q}`))).body;
    expect(ids(await query('state=success'))).toEqual(['extract']);
    expect(ids(await query('state=none'))).toEqual(['report']);
    expect(ids(await query('state=success&state=queued'))).toEqual(['extract', 'total']);
    expect(ids(await query('state=queued,none'))).toEqual(['total', 'report']);
    expect(await query('state=failed')).toEqual({ task_instances: [], total_entries: 0 });
    expect(ids(await query('pool=default_pool&limit=1'))).toEqual(['extract']);
    expect((await query('pool=other')).total_entries).toBe(0);
  });

  it('lists one row per map index, and one unexpanded -1 row before expansion', async () => {
    const fixture = await apiFixture();
    const run = await mappedRun(fixture, 'expanded');
    const list = await fixture.call('GET', tiPath(run.dagId, run.runId));
    expect(ids(list.body)).toEqual(['make', 'each[0]', 'each[1]', 'each[2]', 'after']);
    expect(list.body.task_instances.map((t: { state: string | null }) => t.state)).toEqual([
      'success',
      'success',
      'running',
      'failed',
      null,
    ]);
    expect(ids((await fixture.call('GET', tiPath(run.dagId, run.runId, '?pool=small_pool'))).body)).toEqual([
      'after',
    ]);
    const mapped = await fixture.call(
      'GET',
      tiPath(run.dagId, run.runId, '/each/listMapped?state=failed,running'),
    );
    expect(mapped.body).toMatchObject({ total_entries: 2 });
    expect(ids(mapped.body)).toEqual(['each[1]', 'each[2]']);
    expect((await fixture.call('GET', tiPath(run.dagId, run.runId, '/each/1'))).body).toMatchObject({
      task_id: 'each',
      map_index: 1,
      state: 'running',
    });

    const other = await apiFixture();
    const before = await mappedRun(other, 'unexpanded');
    expect(ids((await other.call('GET', tiPath(before.dagId, before.runId))).body)).toEqual([
      'make',
      'each',
      'after',
    ]);
    expect((await other.call('GET', tiPath(before.dagId, before.runId, '/each/-1'))).body).toMatchObject({
      map_index: -1,
      state: null,
    });
  });

  it('gets one unmapped instance, by task id or with map index -1', async () => {
    const fixture = await apiFixture();
    const run = await linearRun(fixture);
    const one = await fixture.call('GET', tiPath('rt_linear', run.runId, '/total'));
    expect(one).toMatchObject({ status: 200, body: { task_id: 'total', state: 'success', map_index: -1 } });
    expect((await fixture.call('GET', tiPath('rt_linear', run.runId, '/total/-1'))).body).toEqual(one.body);
    const notRun = await fixture.trigger('rt_diamond');
    const pending = await fixture.call('GET', tiPath('rt_diamond', notRun.runId, '/join'));
    expect(pending.body).toMatchObject({ task_id: 'join', state: null, try_number: 0 });
  });

  it('404s the unmapped path of a mapped task and a map index it does not have', async () => {
    const fixture = await apiFixture();
    const run = await mappedRun(fixture, 'expanded');
    const bare = await fixture.call('GET', tiPath(run.dagId, run.runId, '/each'));
    expect(bare).toMatchObject({
      status: 404,
      body: { title: 'Task instance not found', detail: /is mapped; add the map index/ },
    });
    expect((await fixture.call('GET', tiPath(run.dagId, run.runId, '/each/3'))).status).toBe(404);
    expect((await fixture.call('GET', tiPath(run.dagId, run.runId, '/each/-1'))).status).toBe(404);
  });

  it('requires credentials and allows only GET on instance paths', async () => {
    const fixture = await apiFixture();
    const run = await fixture.trigger('rt_linear');
    expect((await fixture.call('GET', tiPath('rt_linear', run.runId), { token: null })).status).toBe(401);
    expect((await fixture.call('DELETE', tiPath('rt_linear', run.runId, '/extract'))).status).toBe(405);
  });
});

describe('API: task instances reject bad requests', () => {
  let fixture: Fixture;
  let run: DagRunRecord;
  beforeAll(async () => {
    fixture = await apiFixture();
    run = await linearRun(fixture);
  });

  it.each([
    [
      '/api/v1/dags/rt_linear/dagRuns/nope/taskInstances',
      'DAGRun not found',
      "DAGRun with DAG ID: 'rt_linear' and DagRun ID: 'nope' not found",
    ],
    [
      '/api/v1/dags/nope/dagRuns/nope/taskInstances/extract',
      'DAGRun not found',
      "DAGRun with DAG ID: 'nope' and DagRun ID: 'nope' not found",
    ],
    ['{run}/nope', 'Task not found', 'Task with ID = nope not found in DAG rt_linear'],
    ['{run}/nope/-1', 'Task not found', 'Task with ID = nope not found in DAG rt_linear'],
    ['{run}/extract/0', 'Task instance not found', /has no instance with map index 0/],
    ['{run}/extract/listMapped', 'Task not mapped', 'Task with ID = extract is not mapped'],
  ])('answers 404 for %s', async (path, title, detail) => {
    const response = await fixture.call('GET', path.replace('{run}', tiPath('rt_linear', run.runId)));
    expect(response.status).toBe(404);
    expect(response.type).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 404, title, detail });
  });

  it.each([
    ['?limit=0', 'query parameter limit must be a whole number from 1 to 100, got "0"'],
    ['?limit=101', 'query parameter limit must be a whole number from 1 to 100, got "101"'],
    ['?offset=-1', /query parameter offset must be a whole number/],
    ['?state=done', /^state: unknown task instance state "done" \(none, scheduled, queued, /],
    ['/extract/first', 'path parameter map_index must be a whole number ≥ -1, got "first"'],
    ['/extract/-2', 'path parameter map_index must be a whole number ≥ -1, got "-2"'],
    ['/extract/1.5', 'path parameter map_index must be a whole number ≥ -1, got "1.5"'],
  ])('answers 400 naming the parameter for %s', async (suffix, detail) => {
    const response = await fixture.call('GET', tiPath('rt_linear', run.runId, suffix));
    expect(response).toMatchObject({ status: 400, body: { title: 'Bad Request', detail } });
  });
});
