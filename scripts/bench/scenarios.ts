import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serializeManifest } from '../../functions/adapters/shared/manifest-codec';
import { runTaskMessage } from '../../functions/app/run-task-message';
import { schedulerTick } from '../../functions/app/scheduler-tick';
import { triggerDagRun } from '../../functions/app/trigger-dag-run';
import type { Manifest } from '../../functions/core/model';
import type { TaskInstanceRecord } from '../../functions/core/records';
import { buildBundle, bundleFiles } from '../bundle';
import type { startBenchEnvironment } from './environment';

type Env = Awaited<ReturnType<typeof startBenchEnvironment>>;

const BENCH_DAGS = `import { dag, empty, task } from 'updraft';
const step = task('step', (_ctx, n: number) => n + 1);
const leaf = task('leaf', () => 1);
export const linear = dag({ dagId: 'bench_linear3' }, () => {
  step.override({ taskId: 'c' })(step.override({ taskId: 'b' })(step.override({ taskId: 'a' })(0)));
});
export const fanout = dag({ dagId: 'bench_fanout100', maxActiveTasks: 200 }, () => {
  const root = empty('root');
  for (let i = 0; i < 100; i++) root.then(leaf.override({ taskId: \`leaf_\${i}\` })());
});
`;

/** Builds and publishes the benchmark DAGs; returns the manifest. */
export async function publishBenchDags(env: Env): Promise<Manifest> {
  const dir = await mkdtemp(path.join(tmpdir(), 'updraft-bench-dags-'));
  await writeFile(path.join(dir, 'bench.dag.ts'), BENCH_DAGS);
  const result = await buildBundle({ dagsFolder: dir });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  await env.deps.bundles.publish(result.manifest.version, bundleFiles(result));
  return result.manifest;
}

/** Per-run figures: requests by service and operation, and dispatch latencies (ms). */
export interface RunFigures {
  taskInstances: number;
  requests: { service: string; operation: string; calls: number }[];
  latenciesMs: number[];
  wallMs: number;
}

/** Triggers one run and drives it to the end like Lambda would; counts only the runtime's requests. */
export async function measureRun(env: Env, dagId: string): Promise<RunFigures> {
  const started = Date.now();
  const trigger = await triggerDagRun({ ...env.deps.tick }, { dagId });
  if (!trigger.ok) throw new Error(trigger.message);
  env.counter.reset();
  await schedulerTick(env.deps.tick);
  for (let idle = 0; idle < 3; ) {
    // Lambda scales out per batch: take everything visible, then run it all concurrently.
    const visible = [];
    for (let batch = await env.receive(); batch.length > 0; batch = await env.receive())
      visible.push(...batch);
    if (visible.length === 0) {
      idle++;
      continue;
    }
    idle = 0;
    await Promise.all(visible.map((message) => runTaskMessage(env.deps.worker, message)));
  }
  const instances = await env.deps.store.listTaskInstances(dagId, trigger.run.runId);
  const spec = (await env.deps.bundles.manifest(trigger.run.bundleVersion)).dags.find(
    (d) => d.dagId === dagId,
  )!;
  return {
    taskInstances: instances.length,
    requests: env.counter.snapshot().map(({ service, operation, calls }) => ({ service, operation, calls })),
    latenciesMs: dispatchLatencies(instances, spec.tasks),
    wallMs: Date.now() - started,
  };
}

/** Upstream end → downstream start, per edge (the time the mini-scheduler and the queue add). */
function dispatchLatencies(
  instances: TaskInstanceRecord[],
  tasks: { taskId: string; upstream: string[] }[],
): number[] {
  const byId = new Map(instances.map((i) => [i.taskId, i]));
  return tasks.flatMap((task) =>
    task.upstream.flatMap((up) => {
      const end = byId.get(up)?.endDate;
      const start = byId.get(task.taskId)?.startDate;
      return end && start ? [Date.parse(start) - Date.parse(end)] : [];
    }),
  );
}

/** Scheduler tick time with `dags` DAGs of `runsPerDag` running runs each (steady state: nothing to do). */
export async function measureTick(
  env: Env,
  template: Manifest,
  dags: number,
  runsPerDag: number,
): Promise<number[]> {
  const base = template.dags.find((d) => d.dagId === 'bench_linear3')!;
  const manifest: Manifest = {
    ...template,
    version: `${template.version.slice(0, 10)}tick00`,
    dags: Array.from({ length: dags }, (_, i) => ({ ...base, dagId: `tick_dag_${i}` })),
  };
  const files = new Map<string, Uint8Array>([
    ['manifest.json', new TextEncoder().encode(serializeManifest(manifest))],
  ]);
  await env.deps.bundles.publish(manifest.version, files);
  const now = new Date().toISOString();
  for (const dag of manifest.dags) {
    for (let r = 0; r < runsPerDag; r++) {
      const logicalDate = new Date(Date.parse('2024-01-01T00:00:00Z') + r * 86_400_000).toISOString();
      const runId = `manual__bench_${r}`;
      await env.deps.store.createRun({
        dagId: dag.dagId,
        runId,
        runType: 'manual',
        state: 'running',
        logicalDate,
        dataIntervalStart: logicalDate,
        dataIntervalEnd: logicalDate,
        runAfter: now,
        conf: {},
        bundleVersion: manifest.version,
        externalTrigger: true,
        queuedAt: now,
        startDate: now,
      });
      const key = { dagId: dag.dagId, runId, taskId: 'a', mapIndex: -1 };
      await env.deps.store.updateTaskInstance(
        key,
        { state: 'none', tryNumber: 0 },
        { state: 'queued', tryNumber: 1, queuedAt: now },
      );
      await env.deps.store.updateTaskInstance(
        key,
        { state: 'queued', tryNumber: 1 },
        {
          state: 'running',
          startDate: now,
          heartbeatAt: now,
        },
      );
    }
  }
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await schedulerTick(env.deps.tick);
    times.push(performance.now() - started);
  }
  return times;
}
