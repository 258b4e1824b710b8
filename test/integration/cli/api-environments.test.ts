import { describe, expect, it } from 'vitest';
import type { TaskEnvironmentJson } from '../../../scripts/cli/client/types';
import { useLocalStack } from './api-harness';

const stack = useLocalStack('cli-environments-token', 'test/fixtures/dags/environments');

describe('where each task ran, through the API and `runs show`', () => {
  it('records the bundle, environment, interpreter or image, runtime and memory of every attempt', async () => {
    const triggered = await stack.cli('trigger', 'environment_record', '--json');
    expect(triggered.code, triggered.stderr).toBe(0);
    const runId = (JSON.parse(triggered.stdout) as { dag_run_id: string }).dag_run_id;
    const waited = await stack.cli(
      'runs',
      'show',
      'environment_record',
      runId,
      '--wait',
      '--poll-seconds',
      '0.2',
    );
    expect(waited.code, waited.stderr).toBe(0);

    const list = await stack.get<{
      task_instances: { task_id: string; environment: TaskEnvironmentJson | null }[];
    }>(`/dags/environment_record/dagRuns/${encodeURIComponent(runId)}/taskInstances`);
    const env = Object.fromEntries(list.task_instances.map((t) => [t.task_id, t.environment!]));
    const bundle = env.where!.bundle_version;
    expect(bundle).toMatch(/^[0-9a-f]{16}$/);
    expect(env.where).toMatchObject({
      runtime: 'process',
      name: 'plain',
      memory_mib: 512,
      bundle_version: bundle,
    });
    expect(env.where!.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(env.where!.image_digest).toBe(env.where!.hash);
    expect(env.where!.image).toMatch(/python/);
    expect(env.shell).toMatchObject({
      runtime: 'process',
      name: 'public.ecr.aws-docker-library-busybox-1.36',
      image: 'sh',
    });
    expect(env.shell!.memory_mib).toBe(256);
    expect(env.check).toEqual(
      expect.objectContaining({
        runtime: 'worker-thread',
        memory_mib: 384,
        name: null,
        hash: null,
        bundle_version: bundle,
      }),
    );

    const shown = await stack.cli('runs', 'show', 'environment_record', runId);
    expect(shown.code, shown.stderr).toBe(0);
    const section = shown.stdout.slice(shown.stdout.indexOf('environments:'));
    expect(section.split('\n')[1]).toMatch(/^task_id\s+runtime\s+environment\s+ran\s+memory\s+bundle$/);
    expect(section).toMatch(
      new RegExp(`where\\s+process\\s+plain \\(${env.where!.hash}\\)\\s+\\S*python\\S*.*512 MiB.*${bundle}`),
    );
    expect(section).toMatch(new RegExp(`check\\s+worker-thread\\s+-\\s+-\\s+384 MiB\\s+${bundle}`));
  }, 120_000);
});
