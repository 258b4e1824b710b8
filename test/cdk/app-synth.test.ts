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
      ],
      { env, timeout: 50_000 },
    );
    template = JSON.parse(readFileSync(join(out, 'UpdraftCi.template.json'), 'utf8'));
  }, 60_000);

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

  it('applies cdk.json context (-c updraft:tickRateMinutes=5)', () => {
    const rules = Object.values(template.Resources).filter(
      (r: Json) => r.Type === 'AWS::Events::Rule',
    ) as Json[];
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(5 minutes)']);
  });
});

describe('context parsing', () => {
  const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;

  it('keeps construct defaults when nothing is set', () => {
    const props = updraftPropsFrom(nodeWith({}));
    expect(Object.values(props).filter((v) => v !== undefined)).toEqual([]);
    expect(stackNameFrom(nodeWith({}))).toBe('Updraft');
  });

  it('reads numbers from strings (-c) and rejects bad values with the key and value', () => {
    const props = updraftPropsFrom(
      nodeWith({
        [CONTEXT_KEYS.workerMemoryMiB]: '2048',
        [CONTEXT_KEYS.logRetentionDays]: 14,
        [CONTEXT_KEYS.alarmEmail]: 'a@b.c',
      }),
    );
    expect(props).toMatchObject({ workerMemorySize: 2048, logRetention: 14, alarmEmail: 'a@b.c' });
    expect(() => updraftPropsFrom(nodeWith({ [CONTEXT_KEYS.tickRateMinutes]: 'soon' }))).toThrow(
      /updraft:tickRateMinutes must be a positive integer, got "soon"/,
    );
    expect(() => updraftPropsFrom(nodeWith({ [CONTEXT_KEYS.logRetentionDays]: 4 }))).toThrow(
      /retention.*got 4/,
    );
  });
});
