import { serializeManifest } from '../../../functions/adapters/shared/manifest-codec';
import type { DagSpec, EnvironmentSpec, Manifest } from '../../../functions/core/model';
import type { BundleStore } from '../../../functions/ports/bundle-store';
import { container, dag, image } from '../../../functions/sdk';

/** The `ranker` environment's content hash, and the task definition the deployment built for it. */
export const HASH = '5d41402abc4b';
export const TASK_DEFINITION = `arn:aws:ecs:eu-west-1:111122223333:task-definition/updraft-env-${HASH}:3`;
export const LOGICAL_DATE = '2024-05-01T00:00:00.000Z';
export const RUN_ID = 'manual__2024-05-01T00:00:00+00:00';
/** The container reason ECS gives a container the kernel killed for memory. */
export const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';

const ranker = image('ranker', { directory: 'images/ranker' });
// Declared in a DAG, but this deployment has no task definition for it (no `cdk deploy` since).
const unbuilt = image('unbuilt', { uri: 'public.ecr.aws/docker/library/alpine:3.20' });
const HASHES: Record<string, string> = { ranker: HASH, unbuilt: 'ffffeeee0000' };

/** Container-task DAGs, one per behaviour under test. */
const DAGS = [
  dag({ dagId: 'ecs_rank', params: { top: 10 } }, () => {
    const rank = container({
      taskId: 'rank',
      image: ranker,
      command: ['python', '-m', 'ranking'],
      args: ['--date', '{{ ds }}', '--top', '{{ params.top }}'],
      env: { RUN: '{{ run_id }}' },
      cpu: 0.5,
      memoryMiB: 3000,
    });
    const publish = container({
      taskId: 'publish',
      image: ranker,
      args: ['{{ ti.xcom_pull("rank") | tojson }}'],
      memoryMiB: 512,
    });
    rank.then(publish);
  }),
  dag({ dagId: 'ecs_slow' }, () => {
    container({
      taskId: 'crawl',
      image: ranker,
      command: ['sleep', '3600'],
      executionTimeout: 60,
      retries: 1,
      retryDelay: 0,
    });
  }),
  dag({ dagId: 'ecs_fail' }, () => {
    container({ taskId: 'crash', image: ranker, command: ['false'] });
  }),
  dag({ dagId: 'ecs_oom' }, () => {
    container({ taskId: 'hog', image: ranker, memoryMiB: 1024 });
  }),
  dag({ dagId: 'ecs_oom_escalate' }, () => {
    container({
      taskId: 'crunch',
      image: ranker,
      memoryMiB: 1024,
      onOutOfMemory: { retryWithMoreMemory: true, maxMemoryMiB: 4096 },
    });
  }),
  dag({ dagId: 'ecs_secret' }, () => {
    container({ taskId: 'call_api', image: ranker, env: { API_KEY: '{{ var.value.api_key }}' } });
  }),
  dag({ dagId: 'ecs_unbuilt' }, () => {
    container({ taskId: 'orphan', image: unbuilt, retries: 2 });
  }),
];

/** The bundle as `updraft dags build` writes it (environments carry their content hash), published. */
export async function publishEcsDags(bundles: BundleStore): Promise<string> {
  const dags: DagSpec[] = DAGS.map((d) => {
    const spec = d.toSpec({ fileloc: `${d.dagId}.dag.ts`, module: `code/${d.dagId}.dag.mjs` });
    const environments = spec.environments?.map(
      (e): EnvironmentSpec => ({ ...e, hash: HASHES[e.name] ?? '' }),
    );
    return { ...spec, ...(environments && { environments }) };
  });
  const manifest: Manifest = { schemaVersion: 1, version: 'vecs', dags };
  await bundles.publish(
    manifest.version,
    new Map([['manifest.json', new TextEncoder().encode(serializeManifest(manifest))]]),
  );
  return manifest.version;
}
