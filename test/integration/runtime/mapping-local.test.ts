import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { startLocalStack } from '../../../scripts/local/stack';

const DAG = `import { dag, task } from 'updraft';
const numbers = task('numbers', (ctx) => Array.from({ length: Number(ctx.params.count) }, (_, i) => i));
const double = task('double', (_ctx, n: number) => n * 2);
const total = task('total', (_ctx, doubled: number[]) => ({ count: doubled.length, sum: doubled.reduce((a, b) => a + b, 0) }));
export default dag({ dagId: 'mapped', params: { count: 1000 }, maxActiveTasks: 64 }, () => {
  total(double.expand(numbers()));
});
`;

let stack: Awaited<ReturnType<typeof startLocalStack>>;
beforeAll(async () => {
  const dags = await mkdtemp(path.join(tmpdir(), 'updraft-mapping-'));
  await writeFile(path.join(dags, 'mapped.dag.ts'), DAG);
  // A lower max_map_length than the default shows the limit is configurable, as on AWS.
  vi.stubEnv('UPDRAFT_MAX_MAP_LENGTH', '1000');
  stack = await startLocalStack({ dagsFolder: dags, token: 't', port: 0, tickSeconds: 1, workers: 8 });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  vi.unstubAllEnvs();
});

async function runToEnd(count: number) {
  const result = await triggerDagRun(
    { ...stack.deps, clock: { now: () => new Date().toISOString() } },
    { dagId: 'mapped', conf: { count }, runId: `count_${count}` },
  );
  if (!result.ok) throw new Error(result.message);
  await stack.tick();
  for (let i = 0; i < 1200; i++) {
    const run = await stack.deps.store.getRun('mapped', result.run.runId);
    if (run?.state === 'success' || run?.state === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const instances = await stack.deps.store.listTaskInstances('mapped', result.run.runId);
  return {
    run: await stack.deps.store.getRun('mapped', result.run.runId),
    double: instances.filter((i) => i.taskId === 'double'),
    total: await stack.deps.xcom.pull(
      { dagId: 'mapped', runId: result.run.runId, taskId: 'total', mapIndex: -1 },
      'return_value',
    ),
  };
}

describe('dynamic task mapping in local mode (dynalite + fauxqs, 8 workers)', () => {
  it('maps over 1,000 elements: one instance each, results in order', async () => {
    const { run, double, total } = await runToEnd(1000);
    expect(run?.state).toBe('success');
    expect(double).toHaveLength(1000);
    expect(double.every((i) => i.state === 'success')).toBe(true);
    expect(total).toEqual({ count: 1000, sum: 999_000 });
  }, 180_000);

  it('skips the mapped task (and what needs it) over an empty list', async () => {
    const { run, double } = await runToEnd(0);
    expect(run?.state).toBe('success');
    expect(double).toEqual([expect.objectContaining({ mapIndex: -1, state: 'skipped' })]);
  }, 60_000);

  it('fails the mapped task over more elements than the limit, naming it', async () => {
    const { run, double } = await runToEnd(1001);
    expect(run?.state).toBe('failed');
    expect(double[0]).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining(
        '1001 elements in the list returned by "numbers" exceed the limit of 1000',
      ),
    });
  }, 60_000);
});
