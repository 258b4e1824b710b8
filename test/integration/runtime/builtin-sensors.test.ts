import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBundleStore } from '../../../functions/adapters/memory/bundle-store';
import { MemoryObjectStorage } from '../../../functions/adapters/memory/object-storage';
import { MemoryQueryEngine } from '../../../functions/adapters/memory/query-engine';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import type { JsonValue } from '../../../functions/core/model';
import type { OperatorServices } from '../../../functions/operators/registry';
import type { QueryStatus } from '../../../functions/ports/query-engine';
import { buildBundle, bundleFiles } from '../../../scripts/bundle';
import { createHarness, ManualClock, memoryPorts } from '../../helpers/runtime-harness';

// One bundle for every test; each test gets fresh run state, queue and services.
const bundles = new MemoryBundleStore();
beforeAll(async () => {
  const built = await buildBundle({ dagsFolder: 'test/fixtures/dags/builtin-sensors' });
  if (!built.ok) throw new Error(built.problems.map((p) => p.message).join('\n'));
  await bundles.publish(built.manifest.version, bundleFiles(built));
});

const LOGICAL_DATE = '2024-03-05T00:00:00.000Z';

/** Harness over memory ports with the given services, and a trigger at LOGICAL_DATE. */
function setUp(services: OperatorServices = {}) {
  const clock = new ManualClock();
  const ports = { ...memoryPorts(clock), bundles };
  const harness = createHarness(ports, { clock, services });
  const trigger = async (dagId: string, conf: Record<string, JsonValue> = {}) => {
    const result = await triggerDagRun({ ...ports, clock }, { dagId, conf, logicalDate: LOGICAL_DATE });
    if (!result.ok) throw new Error(result.message);
    return result.run;
  };
  const ti = async (dagId: string, runId: string, taskId = 'wait') =>
    (await ports.store.getTaskInstance({ dagId, runId, taskId, mapIndex: -1 }))!;
  /** One poke: the next wake-up becomes due, then every visible message runs. */
  const poke = async (seconds = 1) => {
    clock.advance(seconds);
    await harness.drain();
  };
  return { clock, ports, harness, trigger, ti, poke };
}

describe('s3KeySensor', () => {
  it('succeeds once the key appears after a few reschedules, holding no worker in between', async () => {
    const storage = new MemoryObjectStorage({ buckets: ['landing'] });
    const { ports, harness, trigger, ti, poke } = setUp({ objectStorage: storage });
    const run = await trigger('rt_s3_key');
    await harness.tick();
    await harness.drain();
    await storage.put({ bucket: 'landing', key: 'orders/2024-03-04/a.csv' }, 'x', 'text/csv');
    await poke();
    await poke();
    expect(await ti('rt_s3_key', run.runId)).toMatchObject({
      state: 'up_for_reschedule',
      pokeCount: 3,
      reason: expect.stringContaining('nothing matches s3://landing/orders/2024-03-05/*.csv yet'),
      renderedFields: { bucket: 'landing', 'keys[0]': 'orders/2024-03-05/*.csv' },
    });
    expect(harness.invocations).toEqual({ total: 3, inFlight: 0 });
    await storage.put({ bucket: 'landing', key: 'orders/2024-03-05/part-1.csv' }, 'x', 'text/csv');
    await poke();
    expect(await ti('rt_s3_key', run.runId)).toMatchObject({ state: 'success', pokeCount: 4 });
    const report = { dagId: 'rt_s3_key', runId: run.runId, taskId: 'report', mapIndex: -1 };
    expect(await ports.xcom.pull(report, 'return_value')).toEqual(['orders/2024-03-05/part-1.csv']);
    expect((await ports.store.getRun('rt_s3_key', run.runId))?.state).toBe('success');
  });

  it('fails naming the bucket when it does not exist', async () => {
    const { harness, trigger, ti } = setUp({ objectStorage: new MemoryObjectStorage() });
    const run = await trigger('rt_s3_key');
    await harness.tick();
    await harness.drain();
    expect(await ti('rt_s3_key', run.runId)).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('bucket "landing" does not exist'),
    });
  });
});

describe('httpSensor', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Answers each request with the next of `replies` (the last repeats). */
  async function serve(replies: { status: number; body: string }[]) {
    let served = 0;
    server = createServer((_req, res) => {
      const reply = replies[Math.min(served++, replies.length - 1)]!;
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`, served: () => served };
  }

  it('waits through 404 and a 2xx without the text, then succeeds', async () => {
    const endpoint = await serve([
      { status: 404, body: 'not found' },
      { status: 200, body: 'state: building' },
      { status: 200, body: 'state: ready' },
    ]);
    const { harness, trigger, ti, poke } = setUp();
    const run = await trigger('rt_http_sensor', { url: endpoint.url });
    await harness.tick();
    await harness.drain();
    expect(await ti('rt_http_sensor', run.runId)).toMatchObject({
      state: 'up_for_reschedule',
      reason: expect.stringContaining(`GET ${endpoint.url} returned 404`),
    });
    await poke();
    expect((await ti('rt_http_sensor', run.runId)).reason).toContain('returned 200 without "ready"');
    await poke();
    expect(await ti('rt_http_sensor', run.runId)).toMatchObject({ state: 'success', pokeCount: 3 });
    expect(endpoint.served()).toBe(3);
    expect(harness.invocations).toEqual({ total: 3, inFlight: 0 });
  });

  it('fails on another error status, as Airflow does', async () => {
    const endpoint = await serve([{ status: 403, body: 'forbidden' }]);
    const { harness, trigger, ti } = setUp();
    const run = await trigger('rt_http_sensor', { url: endpoint.url });
    await harness.tick();
    await harness.drain();
    expect(await ti('rt_http_sensor', run.runId)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(
        /returned 403 \(expected 2xx, or 404 for "not yet"\): forbidden; add the status/,
      ),
    });
  });
});

describe('externalTaskSensor', () => {
  it("waits for the other DAG's task at the same logical date", async () => {
    const { harness, trigger, ti, poke, ports } = setUp();
    const run = await trigger('rt_external');
    await harness.tick();
    await harness.drain();
    expect((await ti('rt_external', run.runId)).reason).toContain(
      `waiting for rt_upstream.load at ${LOGICAL_DATE}: no run at that logical date yet`,
    );
    const upstream = await trigger('rt_upstream');
    await harness.tick(); // queues the upstream's task; it runs in the next drain, before the poke sees it
    await poke();
    // The sensor may poke before or after the upstream task in that drain: either way it is not met yet.
    expect((await ti('rt_external', run.runId)).reason).toMatch(
      new RegExp(
        `waiting for rt_upstream.load at ${LOGICAL_DATE}: run ${upstream.runId.replace(/[+.]/g, '\\$&')} is (queued|running)`,
      ),
    );
    expect((await ti('rt_upstream', upstream.runId, 'load')).state).toBe('success');
    await poke();
    expect(await ti('rt_external', run.runId)).toMatchObject({ state: 'success' });
    expect((await ports.store.getRun('rt_external', run.runId))?.state).toBe('success');
  });

  it('fails when the external task failed', async () => {
    const { harness, trigger, ti, ports: p } = setUp();
    const upstream = await trigger('rt_upstream');
    const key = { dagId: 'rt_upstream', runId: upstream.runId, taskId: 'load', mapIndex: -1 };
    await p.store.updateTaskInstance(key, { state: 'none', tryNumber: 0 }, { state: 'failed', tryNumber: 1 });
    const run = await trigger('rt_external');
    await harness.tick();
    await harness.deliver((await p.receive()).filter((m) => m.dagId === 'rt_external'));
    expect(await ti('rt_external', run.runId)).toMatchObject({
      state: 'failed',
      reason: `rt_upstream.load at ${LOGICAL_DATE} is failed, one of failedStates; clear it (and then this task) to run it again`,
    });
  });
});

describe('athenaQuery', () => {
  const running: QueryStatus[] = [{ state: 'QUEUED' }, { state: 'RUNNING' }];

  it('goes QUEUED → RUNNING → SUCCEEDED across reschedules, starting one query and holding no worker', async () => {
    const engine = new MemoryQueryEngine([
      ...running,
      { state: 'SUCCEEDED', outputLocation: 's3://rankings/20240305/q-1.csv' },
    ]);
    const { harness, trigger, ti, poke, ports: p } = setUp({ queryEngine: engine });
    const run = await trigger('rt_athena');
    await harness.tick();
    await harness.drain();
    const first = await ti('rt_athena', run.runId, 'rank');
    expect(first).toMatchObject({
      state: 'up_for_reschedule',
      externalJob: { tryNumber: 1, id: 'q-1' },
      reason: expect.stringContaining('Athena query q-1 is QUEUED'),
    });
    expect(engine.started).toEqual([
      expect.objectContaining({
        query: "SELECT movie_id, avg(rating) FROM ratings WHERE ds = '2024-03-05' GROUP BY 1",
        database: 'movielens',
        outputLocation: 's3://rankings/20240305/',
      }),
    ]);
    await poke();
    expect((await ti('rt_athena', run.runId, 'rank')).reason).toContain('Athena query q-1 is RUNNING');
    expect(harness.invocations).toEqual({ total: 2, inFlight: 0 });
    await poke();
    expect(await ti('rt_athena', run.runId, 'rank')).toMatchObject({ state: 'success', pokeCount: 3 });
    expect(engine.started).toHaveLength(1);
    expect(engine.statusCalls).toBe(3);
    const xcom = await p.xcom.pull(
      { dagId: 'rt_athena', runId: run.runId, taskId: 'report', mapIndex: -1 },
      'return_value',
    );
    expect(xcom).toEqual({ queryExecutionId: 'q-1', outputLocation: 's3://rankings/20240305/q-1.csv' });
  });

  it("fails with Athena's reason; a retry would start a new query", async () => {
    const engine = new MemoryQueryEngine([
      { state: 'RUNNING' },
      { state: 'FAILED', reason: 'TABLE_NOT_FOUND: line 1:40: Table ratings does not exist' },
    ]);
    const { harness, trigger, ti, poke } = setUp({ queryEngine: engine });
    const run = await trigger('rt_athena');
    await harness.tick();
    await harness.drain();
    await poke();
    expect(await ti('rt_athena', run.runId, 'rank')).toMatchObject({
      state: 'failed',
      reason: 'Athena query q-1 FAILED: TABLE_NOT_FOUND: line 1:40: Table ratings does not exist',
    });
  });

  it('starts a new query on retry, with a new idempotency token', async () => {
    const engine = new MemoryQueryEngine([
      { state: 'RUNNING' },
      { state: 'FAILED', reason: 'out of memory' },
    ]);
    const { harness, trigger, ti, poke } = setUp({ queryEngine: engine });
    const run = await trigger('rt_athena_retry');
    await harness.tick();
    await harness.drain();
    await poke();
    expect(await ti('rt_athena_retry', run.runId, 'rank')).toMatchObject({
      state: 'up_for_retry',
      externalJob: null,
      reason: 'Athena query q-1 FAILED: out of memory',
    });
    await poke(5);
    await harness.tick();
    await harness.drain();
    expect(await ti('rt_athena_retry', run.runId, 'rank')).toMatchObject({
      state: 'up_for_reschedule',
      tryNumber: 2,
      externalJob: { tryNumber: 2, id: 'q-2' },
    });
    expect(engine.started).toHaveLength(2);
    expect(engine.started[0]!.clientRequestToken).not.toBe(engine.started[1]!.clientRequestToken);
  });

  it('stops a query still running at the timeout, then fails', async () => {
    const engine = new MemoryQueryEngine([{ state: 'RUNNING' }]);
    const { harness, trigger, ti, poke } = setUp({ queryEngine: engine });
    const run = await trigger('rt_athena_timeout');
    await harness.tick();
    await harness.drain();
    await poke(2);
    expect((await ti('rt_athena_timeout', run.runId, 'rank')).state).toBe('up_for_reschedule');
    await poke(2);
    expect(engine.stopped).toEqual(['q-1']);
    expect(await ti('rt_athena_timeout', run.runId, 'rank')).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(
        /^Athena query q-1 still RUNNING at the timeout \(timeout 3s\); stopped it/,
      ),
    });
  });

  it('fails naming Athena where the runtime has none (local mode, dags test)', async () => {
    const { harness, trigger, ti } = setUp();
    const run = await trigger('rt_athena');
    await harness.tick();
    await harness.drain();
    expect(await ti('rt_athena', run.runId, 'rank')).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining(
        '(athena_query) needs Amazon Athena, which local mode and `dags test` do not have',
      ),
    });
  });
});
