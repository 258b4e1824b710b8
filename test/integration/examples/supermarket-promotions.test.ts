import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import type { DagRunRecord } from '../../../functions/core/records';
import { startLocalStack } from '../../../scripts/local/stack';
import { REPO_ROOT, runCli } from '../cli/run-cli';

// The book examples that need more than one DAG run (a sensor waiting for another task, a DAG
// triggering another) run in local mode: the real scheduler, workers, SQS delays and triggers on
// the emulators, in this process. Only the chapter's DAG files (and their lib/) are loaded, so
// the other examples' scheduled runs do not join in.

const CHAPTER_6 = ['supermarket_promotions.dag.ts', 'create_metrics.dag.ts'];

let workDir = '';
const previousEnv = process.env.UPDRAFT_EXAMPLES_DIR;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'updraft-book-local-'));
  // Tasks run in this process: they write under this folder.
  process.env.UPDRAFT_EXAMPLES_DIR = path.join(workDir, 'examples');
});

afterAll(async () => {
  if (previousEnv === undefined) delete process.env.UPDRAFT_EXAMPLES_DIR;
  else process.env.UPDRAFT_EXAMPLES_DIR = previousEnv;
  await rm(workDir, { recursive: true, force: true });
});

/** A DAGs folder with `files` from dags/ and the shared lib/ and fixtures/. */
async function dagsFolder(files: readonly string[]): Promise<string> {
  const dir = path.join(workDir, 'dags');
  const source = path.join(REPO_ROOT, 'dags');
  for (const sub of ['lib', 'fixtures'])
    await cp(path.join(source, sub), path.join(dir, sub), { recursive: true });
  for (const file of files) await cp(path.join(source, file), path.join(dir, file));
  return dir;
}

const finished = (run: DagRunRecord) => run.state === 'success' || run.state === 'failed';

describe('supermarket_promotions and create_metrics (chapter 6) in local mode', () => {
  it('waits for the upload in reschedule mode, processes it, and triggers create_metrics with the day', async () => {
    const stack = await startLocalStack({
      dagsFolder: await dagsFolder(CHAPTER_6),
      token: 't',
      port: 0,
      workers: 4,
    });
    const { store, logs } = stack.deps;
    try {
      const result = await triggerDagRun(
        { ...stack.deps, clock: { now: () => new Date().toISOString() } },
        { dagId: 'supermarket_promotions', logicalDate: '2024-01-02T00:00:00Z' },
      );
      if (!result.ok) throw new Error(result.message);
      await stack.tick();
      // Every run of the DAG, including the scheduled one the stack's first tick created: stopping
      // the stack while a trigger task waits would leave its triggered run without workers. A
      // finished run has seen its create_metrics run finish (waitForCompletion).
      for (let i = 0; i < 300; i++) {
        const { runs } = await store.listRuns('supermarket_promotions');
        if (runs.some((r) => r.runId === result.run.runId) && runs.every(finished)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { runId } = result.run;
      expect((await store.getRun('supermarket_promotions', runId))?.state).toBe('success');
      const states = Object.fromEntries(
        (await store.listTaskInstances('supermarket_promotions', runId)).map((ti) => [ti.taskId, ti.state]),
      );
      expect(states).toEqual({
        upload_supermarket_data: 'success',
        wait_for_supermarket: 'success',
        copy_to_raw: 'success',
        process_supermarket: 'success',
        trigger_create_metrics: 'success',
      });

      // The upload takes about two seconds, the sensor pokes every two: the first poke found no
      // marker and the sensor rescheduled (same try, no worker held) before it succeeded.
      const sensorKey = {
        dagId: 'supermarket_promotions',
        runId,
        taskId: 'wait_for_supermarket',
        mapIndex: -1,
      };
      const sensorTi = await store.getTaskInstance(sensorKey);
      expect(sensorTi).toMatchObject({ state: 'success', tryNumber: 1 });
      expect(sensorTi?.pokeCount).toBeGreaterThanOrEqual(2);
      // (Each poke's invocation writes the try's log anew: the last poke's lines are what is left.)
      expect((await logs.read(sensorKey, 1)).content).toContain(
        'supermarket_1/2024-01-02: 3 data files, with _SUCCESS',
      );

      // create_metrics ran with the conf naming the supermarket and the day, and it is the run
      // the trigger task pushed.
      const metricsRuns = (await store.listRuns('create_metrics')).runs.filter(
        (r) => r.conf.ds === '2024-01-02',
      );
      expect(metricsRuns).toHaveLength(1);
      const metricsRun = metricsRuns[0]!;
      expect(metricsRun).toMatchObject({
        state: 'success',
        runType: 'manual',
        conf: { supermarket: 'supermarket_1', ds: '2024-01-02' },
      });
      const triggerKey = {
        dagId: 'supermarket_promotions',
        runId,
        taskId: 'trigger_create_metrics',
        mapIndex: -1,
      };
      expect(await stack.deps.xcom.pull(triggerKey, 'trigger_run_id')).toBe(metricsRun.runId);

      const examples = process.env.UPDRAFT_EXAMPLES_DIR!;
      const processed = JSON.parse(
        await readFile(
          path.join(examples, 'supermarket_promotions/processed/supermarket_1/2024-01-02.json'),
          'utf8',
        ),
      ) as { transactions: number; promotions: { transactions: number }[] };
      expect(processed.transactions).toBe(41);
      expect(processed.promotions.reduce((sum, p) => sum + p.transactions, 0)).toBe(41);
      const metrics = JSON.parse(
        await readFile(path.join(examples, 'create_metrics/supermarket_1/2024-01-02.json'), 'utf8'),
      );
      expect(metrics).toEqual({
        supermarket: 'supermarket_1',
        ds: '2024-01-02',
        transactions: 41,
        revenue: 629.66,
        promotions: [
          {
            promotion: 'loyalty_bonus',
            unitsPerTransaction: 2.75,
            unitsPerTransactionDiff: 0.66,
            revenueShare: 0.3,
          },
          { promotion: 'none', unitsPerTransaction: 2.09, unitsPerTransactionDiff: 0, revenueShare: 0.23 },
          {
            promotion: 'ten_percent_off',
            unitsPerTransaction: 2.75,
            unitsPerTransactionDiff: 0.66,
            revenueShare: 0.21,
          },
          {
            promotion: 'two_for_one',
            unitsPerTransaction: 3.2,
            unitsPerTransactionDiff: 1.11,
            revenueShare: 0.26,
          },
        ],
      });
      const dashboardKey = {
        dagId: 'create_metrics',
        runId: metricsRun.runId,
        taskId: 'update_dashboard',
        mapIndex: -1,
      };
      expect(await stack.deps.xcom.pull(dashboardKey, 'return_value')).toBe(
        'supermarket_1 2024-01-02: revenue 629.66, best promotion two_for_one (+1.11 units per transaction)',
      );
    } finally {
      await stack.stop();
    }

    // With the day processed, create_metrics alone also runs under `updraft dags test`, and a
    // second run for the same day rewrites the same metrics (idempotent).
    const metricsFile = path.join(
      process.env.UPDRAFT_EXAMPLES_DIR!,
      'create_metrics/supermarket_1/2024-01-02.json',
    );
    const before = await readFile(metricsFile, 'utf8');
    const conf = JSON.stringify({ supermarket: 'supermarket_1', ds: '2024-01-02' });
    const cli = await runCli(['dags', 'test', 'create_metrics', '--conf', conf, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ dag_id: 'create_metrics', state: 'success' });
    expect(await readFile(metricsFile, 'utf8')).toBe(before);
  }, 60_000);
});
