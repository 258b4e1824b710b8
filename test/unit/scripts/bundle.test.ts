import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildResult, buildBundle, loadBundleDags, writeBundle } from '../../../scripts/bundle';
import { REPO_ROOT } from '../../../scripts/bundle/paths';

const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'dags');

// In-process counterpart of the CLI tests: the API the lead's `dags test` builds on.
describe('buildBundle → writeBundle → loadBundleDags', () => {
  let out: string;
  let built: BuildResult;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'updraft-bundle-'));
    built = await buildBundle({ dagsFolder: path.join(fixtures, 'valid') });
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('builds every DAG of every file, sorted by id, with module and fileloc', () => {
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    expect(built.manifest.dags.map((d) => [d.dagId, d.fileloc, d.module])).toEqual([
      ['etl', 'etl.dag.ts', 'code/etl.dag.mjs'],
      ['reports_hourly', 'nested/reports.dag.ts', 'code/nested/reports.dag.mjs'],
      ['reports_manual', 'nested/reports.dag.ts', 'code/nested/reports.dag.mjs'],
    ]);
    expect([...built.files.keys()].sort()).toEqual([
      'code/etl.dag.mjs',
      'code/etl.dag.mjs.map',
      'code/nested/reports.dag.mjs',
      'code/nested/reports.dag.mjs.map',
    ]);
    expect(built.problems).toEqual([]);
  });

  it('writes the bundle once, without absolute paths, and loads the DAG objects back', async () => {
    const first = await writeBundle(built, out);
    expect(await writeBundle(built, out)).toEqual(first);
    expect(await readdir(out)).toEqual([first.version]);
    for (const file of ['manifest.json', 'code/etl.dag.mjs', 'code/etl.dag.mjs.map']) {
      const text = await readFile(path.join(first.dir, file), 'utf8');
      expect(text).not.toContain(REPO_ROOT);
      expect(text).not.toContain('updraft-build-');
    }
    const dags = await loadBundleDags(first.dir);
    expect([...dags.keys()]).toEqual(['etl', 'reports_hourly', 'reports_manual']);
    const etl = dags.get('etl')!;
    expect(etl.modulePath).toBe(path.join(first.dir, 'code', 'etl.dag.mjs'));
    expect(await etl.definition.taskCallable('extract')?.({})).toEqual([1, 2, 3]);
    expect(await etl.definition.taskCallable('total')?.({}, [1, 2, 3])).toBe(6);
  });

  it('refuses to write a failed build', async () => {
    await expect(writeBundle({ ok: false, problems: [{ message: 'x' }] }, out)).rejects.toThrow(
      /failed to build/,
    );
  });
});
