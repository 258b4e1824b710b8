import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverDagFiles } from '../../../scripts/bundle/discover';
import { modulePathFor } from '../../../scripts/bundle/paths';

describe('discoverDagFiles', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'updraft-discover-'));
    const files = [
      'z.dag.ts',
      'b/nested/deep.dag.ts',
      'a.dag.ts',
      'B.dag.ts',
      'b/helper.ts',
      'notes.dag.ts.bak',
      'node_modules/pkg/x.dag.ts',
      '.hidden/y.dag.ts',
      'b/node_modules/q.dag.ts',
    ];
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), '');
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('finds *.dag.ts recursively, byte-wise sorted, skipping node_modules and hidden folders', async () => {
    expect(await discoverDagFiles(root)).toEqual([
      'B.dag.ts',
      'a.dag.ts',
      'b/nested/deep.dag.ts',
      'z.dag.ts',
    ]);
  });

  it('fails for a missing folder (the builder turns ENOENT into a problem)', async () => {
    await expect(discoverDagFiles(path.join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['etl.dag.ts', 'code/etl.dag.mjs'],
    ['b/nested/deep.dag.ts', 'code/b/nested/deep.dag.mjs'],
  ])('maps %s to the bundle module %s', (fileloc, module) => {
    expect(modulePathFor(fileloc)).toBe(module);
  });
});
