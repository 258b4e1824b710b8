import { beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../functions/core/records';
import { StaleTransitionError } from '../../../functions/ports/errors';
import { apiFixture } from './events';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
const CLEAR = '/api/v1/dags/rt_linear/clearTaskInstances';
const tiPath = (run: DagRunRecord, rest = '') =>
  `/api/v1/dags/${run.dagId}/dagRuns/${encodeURIComponent(run.runId)}/taskInstances${rest}`;
const cleared = (body: { task_instances: { task_id: string }[] }) =>
  body.task_instances.map((t) => t.task_id);

async function runToEnd(fixture: Fixture, dagId = 'rt_linear'): Promise<DagRunRecord> {
  const run = await fixture.trigger(dagId);
  await fixture.harness.tick();
  await fixture.harness.drain();
  return run;
}

/**
 * A run of rt_linear that failed at `total`: extract succeeded (with its XCom), total failed,
 * report upstream_failed, the run failed. Written through the store, as the planner would have.
 */
async function failedRun(fixture: Fixture): Promise<DagRunRecord> {
  const { store, xcom } = fixture.ports;
  const run = await fixture.trigger('rt_linear');
  const key = (taskId: string) => ({ dagId: run.dagId, runId: run.runId, taskId, mapIndex: -1 });
  const none = { state: 'none' as const, tryNumber: 0 };
  await store.updateTaskInstance(key('extract'), none, { state: 'success', tryNumber: 1, xcomLength: 3 });
  await xcom.push(key('extract'), 'return_value', [1, 2, 3]);
  await store.updateTaskInstance(key('total'), none, { state: 'failed', tryNumber: 1, reason: 'boom' });
  await store.updateTaskInstance(key('report'), none, { state: 'upstream_failed' });
  await store.updateRun(run.dagId, run.runId, 'queued', { state: 'running' });
  await store.updateRun(run.dagId, run.runId, 'running', { state: 'failed', reason: 'task_failure: total' });
  return run;
}

describe('API: clearTaskInstances', () => {
  it('lists what a dry run would clear (the default) and changes nothing', async () => {
    const fixture = await apiFixture();
    const run = await failedRun(fixture);
    const response = await fixture.call('POST', CLEAR, { body: { dag_run_id: run.runId } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      task_instances: [
        {
          task_id: 'total',
          dag_id: 'rt_linear',
          dag_run_id: run.runId,
          execution_date: expect.stringMatching(/\+00:00$/),
        },
        {
          task_id: 'report',
          dag_id: 'rt_linear',
          dag_run_id: run.runId,
          execution_date: expect.stringMatching(/\+00:00$/),
        },
      ],
    });
    const states = (await fixture.call('GET', tiPath(run))).body.task_instances.map(
      (t: { state: string }) => t.state,
    );
    expect(states).toEqual(['success', 'failed', 'upstream_failed']);
    expect((await fixture.ports.store.getRun(run.dagId, run.runId))?.state).toBe('failed');
    expect(fixture.kicks()).toBe(0);
  });

  it('clears failed instances for real, queues the run, kicks the scheduler, and the run then succeeds', async () => {
    const fixture = await apiFixture();
    const run = await failedRun(fixture);
    const response = await fixture.call('POST', CLEAR, { body: { dry_run: false, dag_run_id: run.runId } });
    expect(cleared(response.body)).toEqual(['total', 'report']);
    expect(fixture.kicks()).toBe(1);
    const after = (await fixture.call('GET', tiPath(run, '/total'))).body;
    expect(after).toMatchObject({ state: null, try_number: 1 });
    expect(
      (await fixture.call('GET', `/api/v1/dags/rt_linear/dagRuns/${encodeURIComponent(run.runId)}`)).body
        .state,
    ).toBe('queued');

    await fixture.harness.tick();
    await fixture.harness.drain();
    expect((await fixture.call('GET', tiPath(run, '/total'))).body).toMatchObject({
      state: 'success',
      try_number: 2,
    });
    expect((await fixture.call('GET', tiPath(run, '/report'))).body).toMatchObject({
      state: 'success',
      try_number: 1,
    });
    expect((await fixture.ports.store.getRun(run.dagId, run.runId))?.state).toBe('success');
    const log = await fixture.call('GET', tiPath(run, '/total/logs/2'));
    expect(log.status).toBe(200);
  });

  it('re-runs a successful task and its downstream with only_failed false', async () => {
    const fixture = await apiFixture();
    const run = await runToEnd(fixture);
    const body = {
      dry_run: false,
      only_failed: false,
      task_ids: ['total'],
      include_downstream: true,
      dag_run_id: run.runId,
    };
    expect(cleared((await fixture.call('POST', CLEAR, { body })).body)).toEqual(['total', 'report']);
    await fixture.harness.tick();
    await fixture.harness.drain();
    const list = (await fixture.call('GET', tiPath(run))).body.task_instances;
    expect(list.map((t: { try_number: number }) => t.try_number)).toEqual([1, 2, 2]);
    expect(list.every((t: { state: string }) => t.state === 'success')).toBe(true);
  });

  it('clears a running instance: the old attempt can neither claim nor finish it; the task runs again as try 2', async () => {
    const fixture = await apiFixture();
    const run = await fixture.trigger('rt_linear');
    await fixture.harness.tick();
    const [message] = await fixture.ports.receive();
    const key = { dagId: run.dagId, runId: run.runId, taskId: 'extract', mapIndex: -1 };
    // A worker has claimed the attempt and is still running it.
    await fixture.ports.store.updateTaskInstance(
      key,
      { state: 'queued', tryNumber: 1 },
      { state: 'running' },
    );
    const body = { dry_run: false, only_failed: false, only_running: true, dag_run_id: run.runId };
    expect(cleared((await fixture.call('POST', CLEAR, { body })).body)).toEqual(['extract']);
    await fixture.harness.deliver([message!]); // a duplicate of the old try's message: no longer queued at try 1
    expect(await fixture.ports.store.getTaskInstance(key)).toMatchObject({ state: 'none', tryNumber: 1 });
    // The old worker's final write is conditional on running at try 1: its result is discarded.
    const finish = fixture.ports.store.updateTaskInstance(
      key,
      { state: 'running', tryNumber: 1 },
      { state: 'success' },
    );
    await expect(finish).rejects.toBeInstanceOf(StaleTransitionError);
    await fixture.harness.tick();
    await fixture.harness.drain();
    expect(await fixture.ports.store.getTaskInstance(key)).toMatchObject({ state: 'success', tryNumber: 2 });
    expect((await fixture.ports.store.getRun(run.dagId, run.runId))?.state).toBe('success');
  });

  it('keeps a finished run finished with reset_dag_runs false', async () => {
    const fixture = await apiFixture();
    const run = await failedRun(fixture);
    await fixture.call('POST', CLEAR, {
      body: { dry_run: false, reset_dag_runs: false, dag_run_id: run.runId },
    });
    expect((await fixture.ports.store.getRun(run.dagId, run.runId))?.state).toBe('failed');
    expect((await fixture.call('GET', tiPath(run, '/total'))).body.state).toBeNull();
  });

  it('applies to the runs of the DAG without dag_run_id, narrowed by dates or include_past / include_future', async () => {
    const fixture = await apiFixture();
    const first = await runToEnd(fixture);
    fixture.harness.clock.advance(3600);
    const second = await runToEnd(fixture);
    fixture.harness.clock.advance(3600);
    const third = await runToEnd(fixture);
    const runsOf = (body: { task_instances: { dag_run_id: string; task_id: string }[] }) => [
      ...new Set(body.task_instances.map((t) => t.dag_run_id)),
    ];
    const all = await fixture.call('POST', CLEAR, { body: { only_failed: false, task_ids: ['report'] } });
    expect(runsOf(all.body)).toEqual([third.runId, second.runId, first.runId]);
    const window = {
      only_failed: false,
      task_ids: ['report'],
      start_date: second.logicalDate,
      end_date: third.logicalDate,
    };
    expect(runsOf((await fixture.call('POST', CLEAR, { body: window })).body)).toEqual([
      third.runId,
      second.runId,
    ]);
    const past = { only_failed: false, task_ids: ['report'], dag_run_id: second.runId, include_past: true };
    expect(runsOf((await fixture.call('POST', CLEAR, { body: past })).body)).toEqual([
      second.runId,
      first.runId,
    ]);
    const future = {
      only_failed: false,
      task_ids: ['report'],
      dag_run_id: second.runId,
      include_future: true,
    };
    expect(runsOf((await fixture.call('POST', CLEAR, { body: future })).body)).toEqual([
      third.runId,
      second.runId,
    ]);
    expect(fixture.kicks()).toBe(0);
  });

  it('accepts [task_id, map_index] pairs and answers an empty list when nothing matches', async () => {
    const fixture = await apiFixture();
    const run = await runToEnd(fixture);
    const pair = { only_failed: false, task_ids: [['total', -1]], dag_run_id: run.runId };
    expect(cleared((await fixture.call('POST', CLEAR, { body: pair })).body)).toEqual(['total']);
    const nothing = await fixture.call('POST', CLEAR, { body: { dry_run: false, dag_run_id: run.runId } });
    expect(nothing.body).toEqual({ task_instances: [] });
    expect(fixture.kicks()).toBe(0);
  });
});

describe('API: clearTaskInstances rejects bad input', () => {
  let fixture: Fixture;
  let run: DagRunRecord;
  beforeAll(async () => {
    fixture = await apiFixture();
    run = await failedRun(fixture);
  });

  it.each<[string, unknown, string | RegExp]>([
    ['an unknown field', { dry_run: true, force: true }, /force/],
    ['a non-boolean flag', { dry_run: 'yes' }, /^dry_run: /],
    ['a non-list task_ids', { task_ids: 'total' }, /^task_ids: /],
    ['an empty task_ids', { task_ids: [] }, /^task_ids: /],
    ['a bad task selector', { task_ids: [['total', 'one']] }, /^task_ids\.0/],
    ['an unknown task', { task_ids: ['nope'] }, 'task_ids: DAG rt_linear has no task "nope"'],
    ['only_failed with only_running', { only_running: true }, /only_failed and only_running are both true/],
    ['a bad date', { start_date: 'yesterday' }, /^start_date: /],
    [
      'end before start',
      { start_date: '2024-02-01T00:00:00Z', end_date: '2024-01-01T00:00:00Z' },
      'end_date is sooner than start_date',
    ],
    [
      'a run id with dates',
      { dag_run_id: 'x', end_date: '2024-01-01T00:00:00Z' },
      'send either dag_run_id or start_date/end_date, not both',
    ],
    ['a list body', [1], /^body: /],
    ['invalid JSON', '{"dry_run": ', 'request body is not valid JSON'],
  ])('400 for %s', async (_name, body, detail) => {
    const response = await fixture.call('POST', CLEAR, { body });
    expect(response).toMatchObject({ status: 400, body: { title: 'Bad Request', detail } });
    expect((await fixture.ports.store.getRun(run.dagId, run.runId))?.state).toBe('failed');
  });

  it('404s an unknown DAG or run', async () => {
    const dag = await fixture.call('POST', '/api/v1/dags/nope/clearTaskInstances', { body: {} });
    expect(dag).toMatchObject({ status: 404, body: { title: 'DAG not found' } });
    const missing = await fixture.call('POST', CLEAR, { body: { dag_run_id: 'nope' } });
    expect(missing).toMatchObject({ status: 404, body: { title: 'DAGRun not found' } });
  });

  it('requires credentials and POST', async () => {
    expect((await fixture.call('POST', CLEAR, { body: {}, token: null })).status).toBe(401);
    expect((await fixture.call('GET', CLEAR)).status).toBe(405);
    expect(fixture.kicks()).toBe(0);
  });
});
