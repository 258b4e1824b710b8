import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { startLocalStack } from '../../../scripts/local/stack';

const DAG = `import { dag, s3List, s3Put, task, triggerDagRun } from 'updraft';
export const lake = dag({ dagId: 'lake' }, () => {
  const put = s3Put({ taskId: 'put', bucket: 'my-data', key: 'in/a.txt', body: 'hello' });
  const listed = s3List({ taskId: 'list', bucket: 'my-data', prefix: 'in/' });
  put.then(listed);
  s3Put({ taskId: 'index', bucket: 'my-data', key: 'index.json', fromXcom: listed });
});
export const orchestrate = dag({ dagId: 'orchestrate' }, () => {
  triggerDagRun({ taskId: 'run_lake', triggerDagId: 'lake', waitForCompletion: true, pokeIntervalSeconds: 0.2 });
});
`;

describe('local mode: S3 operators on the emulator, trigger_dag_run through the local tick', () => {
  it('runs a DAG that triggers another, whose S3 tasks create their bucket on first use', async () => {
    const dags = await mkdtemp(path.join(tmpdir(), 'updraft-ops-'));
    await writeFile(path.join(dags, 'ops.dag.ts'), DAG);
    // A long tick period: the triggered run can only start this fast through the operator's kick.
    const stack = await startLocalStack({
      dagsFolder: dags,
      token: 't',
      port: 0,
      tickSeconds: 60,
      workers: 2,
    });
    const s3 = new S3Client({
      endpoint: stack.s3Endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
    });
    try {
      const result = await triggerDagRun(
        { ...stack.deps, clock: { now: () => new Date().toISOString() } },
        { dagId: 'orchestrate' },
      );
      if (!result.ok) throw new Error(result.message);
      await stack.tick();
      let state = 'queued';
      for (let i = 0; i < 150 && state !== 'success' && state !== 'failed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await stack.deps.store.getRun('orchestrate', result.run.runId))?.state ?? state;
      }
      expect(state).toBe('success');
      const index = await s3.send(new GetObjectCommand({ Bucket: 'my-data', Key: 'index.json' }));
      expect(await index.Body!.transformToString()).toBe('["in/a.txt"]');
    } finally {
      s3.destroy();
      await stack.stop();
    }
  }, 60_000);
});
