import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, stackNameFrom, updraftPropsFrom } from '../../lib/context';
import type { Json } from './synth-helper';

const run = promisify(execFile);

describe('npx cdk synth (bin/app.ts through cdk.json), offline and without credentials', () => {
  const out = mkdtempSync(join(tmpdir(), 'updraft-synth-'));
  let template: Json;

  beforeAll(async () => {
    // No AWS_* variables at all, no profile, no instance metadata: synth must not need any.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
    Object.assign(env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(out, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(out, 'none'),
      CDK_DISABLE_VERSION_CHECK: '1',
    });
    await run(
      'node_modules/.bin/cdk',
      [
        'synth',
        '--quiet',
        '--no-notices',
        '-o',
        out,
        '-c',
        `${CONTEXT_KEYS.tickRateMinutes}=5`,
        '-c',
        `${CONTEXT_KEYS.stackName}=UpdraftCi`,
        '-c',
        `${CONTEXT_KEYS.workerMemoryClasses}=2048,512`,
        // dags/ declares task environments (isolated_environments): without container tasks the
        // synth fails and names them (test/cdk/task-environments.test.ts).
        '-c',
        `${CONTEXT_KEYS.containerTasks}=true`,
      ],
      { env, timeout: 110_000 },
    );
    template = JSON.parse(readFileSync(join(out, 'UpdraftCi.template.json'), 'utf8'));
  }, 120_000); // 2 cores shared with the other synth tests: bundling three functions can take a minute

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('produces an env-agnostic template that passed the cdk-nag plugin', () => {
    const text = JSON.stringify(template);
    expect(text).toContain('"Ref":"AWS::Region"');
    expect(text).not.toMatch(/\b\d{12}\b/); // no account id baked in
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).artifacts.UpdraftCi.environment).toBe(
      'aws://unknown-account/unknown-region',
    );
  });

  it('bundles the three Lambda entries with the local esbuild (ESM, minified, source maps)', () => {
    const assets = readdirSync(out).filter(
      (name) => name.startsWith('asset.') && existsSync(join(out, name, 'index.mjs')),
    );
    expect(assets).toHaveLength(3);
    for (const asset of assets) {
      expect(existsSync(join(out, asset, 'index.mjs.map'))).toBe(true);
      const code = readFileSync(join(out, asset, 'index.mjs'), 'utf8');
      expect(code).toContain('createRequire');
      expect(code).toMatch(/@aws-sdk|DynamoDB/); // the SDK is bundled, not taken from the runtime
    }
  });

  it('applies cdk.json context (-c updraft:tickRateMinutes=5, updraft:workerMemoryClasses=2048,512)', () => {
    const resources = Object.entries(template.Resources as Record<string, Json>);
    const rules = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule').map(([, r]) => r);
    // The other rule (container tasks) is the task-stopped event pattern, not a schedule.
    expect(rules.map((r) => r.Properties.ScheduleExpression).filter(Boolean)).toEqual(['rate(5 minutes)']);
    const workers = resources.filter(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('OrchestratorWorker'),
    );
    expect(workers.map(([, r]) => r.Properties.MemorySize)).toEqual([512, 2048]);
  });

  it('builds dags/ and stages it for upload by default (updraft:dagsPath=dags)', () => {
    const staged = (file: string) =>
      readdirSync(out).filter((name) => name.startsWith('asset.') && existsSync(join(out, name, file)));
    const [bundle] = staged('manifest.json');
    const [pointer] = staged('current.json');
    const manifest = JSON.parse(readFileSync(join(out, bundle!, 'manifest.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(out, pointer!, 'current.json'), 'utf8'))).toEqual({
      version: manifest.version,
    });
    const deployments = Object.values(template.Resources as Record<string, Json>).filter(
      (r) => r.Type === 'Custom::CDKBucketDeployment',
    );
    expect(deployments.map((d) => d.Properties.DestinationBucketKeyPrefix).sort()).toEqual([
      'bundles/',
      `bundles/${manifest.version}/`,
    ]);
  });

  it('stages one docker image per environment to build (Python or Dockerfile folder), without Docker', () => {
    const [bundle] = readdirSync(out).filter(
      (name) => name.startsWith('asset.') && existsSync(join(out, name, 'manifest.json')),
    );
    const manifest = JSON.parse(readFileSync(join(out, bundle!, 'manifest.json'), 'utf8'));
    const environments = new Map<string, Json>(
      (manifest.dags as Json[]).flatMap((d) => (d.environments ?? []).map((e: Json) => [e.hash, e])),
    );
    const built = [...environments.values()].filter((e) => e.kind === 'python' || e.directory);
    const assets = JSON.parse(readFileSync(join(out, 'UpdraftCi.assets.json'), 'utf8'));
    expect(Object.keys(assets.dockerImages ?? {})).toHaveLength(built.length);
    const definitions = Object.values(template.Resources as Record<string, Json>).filter(
      (r) => r.Type === 'AWS::ECS::TaskDefinition',
    );
    expect(definitions).toHaveLength(environments.size);
  });
});

describe('context parsing', () => {
  const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;
  const rejects = (context: Record<string, unknown>, message: RegExp) =>
    expect(() => updraftPropsFrom(nodeWith(context))).toThrow(message);

  it('keeps construct defaults when nothing is set, except the DAG folder the app deploys', () => {
    const props = updraftPropsFrom(nodeWith({}));
    expect(Object.entries(props).filter(([, v]) => v !== undefined)).toEqual([['dagsPath', 'dags']]);
    expect(stackNameFrom(nodeWith({}))).toBe('Updraft');
    expect(updraftPropsFrom(nodeWith({ [CONTEXT_KEYS.dagsPath]: 'none' })).dagsPath).toBeUndefined();
    expect(updraftPropsFrom(nodeWith({ [CONTEXT_KEYS.dagsPath]: 'my/dags' })).dagsPath).toBe('my/dags');
  });

  it('reads numbers from strings (-c) and rejects bad values with the key and value', () => {
    const props = updraftPropsFrom(
      nodeWith({
        [CONTEXT_KEYS.logRetentionDays]: 14,
        [CONTEXT_KEYS.alarmEmail]: 'a@b.c',
        [CONTEXT_KEYS.failedRunsThreshold]: '3',
        [CONTEXT_KEYS.metricsNamespace]: 'Acme/Flows',
      }),
    );
    expect(props).toMatchObject({
      logRetention: 14,
      alarmEmail: 'a@b.c',
      failedRunsThreshold: 3,
      metricsNamespace: 'Acme/Flows',
    });
    rejects(
      { [CONTEXT_KEYS.tickRateMinutes]: 'soon' },
      /updraft:tickRateMinutes must be a positive integer, got "soon"/,
    );
    rejects({ [CONTEXT_KEYS.logRetentionDays]: 4 }, /retention.*got 4/);
    rejects(
      { [CONTEXT_KEYS.failedRunsThreshold]: '0' },
      /updraft:failedRunsThreshold must be a positive integer, got "0"/,
    );
  });

  it('reads worker memory classes as comma-separated MiB (or a JSON array), sorted', () => {
    const from = (value: unknown) =>
      updraftPropsFrom(nodeWith({ [CONTEXT_KEYS.workerMemoryClasses]: value })).workerMemoryClasses;
    expect(from('4096, 1024,10240')).toEqual([1024, 4096, 10240]);
    expect(from([2048, 512])).toEqual([512, 2048]);
    expect(from(3008)).toEqual([3008]);
    rejects(
      { [CONTEXT_KEYS.workerMemoryClasses]: '1024,lots' },
      /updraft:workerMemoryClasses must hold integers from 128 to 10240 MiB, got NaN .*\(from "1024,lots"\)/,
    );
    rejects({ [CONTEXT_KEYS.workerMemoryClasses]: '1024,,4096' }, /updraft:workerMemoryClasses.*got NaN/);
    rejects(
      { [CONTEXT_KEYS.workerMemoryClasses]: '1024,1024' },
      /updraft:workerMemoryClasses must not repeat.*\(from "1024,1024"\)/,
    );
    rejects({ [CONTEXT_KEYS.workerMemoryClasses]: '64' }, /updraft:workerMemoryClasses.*got 64/);
    rejects(
      { 'updraft:workerMemoryMiB': '2048' },
      /updraft:workerMemoryMiB is no longer read; use updraft:workerMemoryClasses/,
    );
  });

  it('reads containerTasks as true/false and vpc as none/create', () => {
    const props = (context: Record<string, unknown>) => updraftPropsFrom(nodeWith(context));
    expect(props({ [CONTEXT_KEYS.containerTasks]: 'true' }).containerTasks).toBe(true);
    expect(props({ [CONTEXT_KEYS.containerTasks]: false }).containerTasks).toBe(false);
    expect(props({ [CONTEXT_KEYS.vpc]: 'create' }).createVpc).toBe(true);
    expect(props({ [CONTEXT_KEYS.vpc]: 'none' }).createVpc).toBeUndefined();
    rejects(
      { [CONTEXT_KEYS.containerTasks]: 'yes' },
      /updraft:containerTasks must be true or false, got "yes"/,
    );
    rejects({ [CONTEXT_KEYS.vpc]: 'vpc-123' }, /updraft:vpc must be none or create, got "vpc-123"/);
  });
});
