import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3BundleStore } from '../../../functions/adapters/aws/s3/bundle-store';
import { FileBundleStore } from '../../../functions/adapters/local/file-bundle-store';
import { main } from '../../../scripts/cli/program';
import { createTestBucket, fauxqsEndpoint, fauxqsS3Client } from '../../helpers/fauxqs';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

afterEach(() => vi.unstubAllEnvs());

describe('updraft dags upload', () => {
  it('publishes to the local data folder, then reports an unchanged bundle without uploading', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'updraft-upload-'));
    const first = capture();
    const argv = [
      'node',
      'updraft',
      'dags',
      'upload',
      '--dags-folder',
      'test/fixtures/dags/valid',
      '--home',
      home,
      '--json',
    ];
    expect(await main(argv, first.io)).toBe(0);
    const result = JSON.parse(first.out.join(''));
    expect(result).toMatchObject({
      changed: true,
      previous_version: null,
      dag_ids: ['etl', 'reports_hourly', 'reports_manual'],
    });
    expect((await new FileBundleStore(path.join(home, 'bundles')).currentManifest())?.version).toBe(
      result.version,
    );
    const again = capture();
    expect(await main(argv, again.io)).toBe(0);
    expect(JSON.parse(again.out.join(''))).toMatchObject({ changed: false, version: result.version });
  });

  it('refuses a bundle that does not build: exit 2, problems listed and recorded, current bundle kept', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'updraft-upload-'));
    await main(
      ['node', 'updraft', 'dags', 'upload', '--dags-folder', 'test/fixtures/dags/valid', '--home', home],
      capture().io,
    );
    const bad = capture();
    const code = await main(
      ['node', 'updraft', 'dags', 'upload', '--dags-folder', 'test/fixtures/dags/cycle', '--home', home],
      bad.io,
    );
    expect(code).toBe(2);
    expect(bad.err.join('\n')).toMatch(
      /cycle: a → b → a[\s\S]*nothing uploaded; the current bundle [0-9a-f]{16} keeps running/,
    );
    const store = new FileBundleStore(path.join(home, 'bundles'));
    expect((await store.currentManifest())?.dags.map((d) => d.dagId)).toEqual([
      'etl',
      'reports_hourly',
      'reports_manual',
    ]);
    expect((await store.importErrors())[0]).toMatchObject({ filename: 'cycle.dag.ts' });
  });

  it('uploads to an S3 bucket (an emulator here) and switches current.json', async () => {
    const s3 = fauxqsS3Client();
    const bucket = await createTestBucket(s3);
    vi.stubEnv('UPDRAFT_AWS_ENDPOINT', fauxqsEndpoint());
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const run = capture();
    const code = await main(
      ['node', 'updraft', 'dags', 'upload', '--dags-folder', 'test/fixtures/dags/valid', '--bucket', bucket],
      run.io,
    );
    expect(code, run.err.join('\n')).toBe(0);
    expect(run.out.join('')).toMatch(
      new RegExp(`uploaded bundle [0-9a-f]{16} .* to s3://${bucket}/bundles/`),
    );
    const manifest = await new S3BundleStore({ client: s3, bucket }).currentManifest();
    expect(manifest?.dags).toHaveLength(3);
  });
});
