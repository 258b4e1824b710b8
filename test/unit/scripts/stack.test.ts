import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { userFrame } from '../../../scripts/bundle/stack';

const codeDir = path.join(path.sep, 'tmp', 'updraft-build-x', 'code');
const url = (rel: string) => pathToFileURL(path.join(codeDir, rel)).href;
// A map whose generated line 3 maps to the SDK and line 5 to the DAG file (mappings built by hand).
// Segments: [generated column, source index, original line delta, original column delta].
const payload = {
  version: 3,
  file: 'etl.dag.mjs',
  sources: ['../../functions/sdk/dag.ts', 'etl.dag.ts'],
  sourceRoot: '',
  sourcesContent: [],
  names: [],
  // line 1, 2: nothing; line 3: col 0 → sdk 10:0; line 4: nothing; line 5: col 4 → etl.dag.ts 7:2
  mappings: ';;AASA;;ICHE',
};

describe('userFrame', () => {
  const ctx = { codeDir, maps: new Map([['sub/etl.dag.mjs', payload]]) };

  it('skips SDK frames and maps the first frame in the user file back to its source', () => {
    const stack = [
      'Error: boom',
      `    at dag (${url('sub/etl.dag.mjs')}:3:1)`,
      `    at ${url('sub/etl.dag.mjs')}:5:5`,
      '    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
    ].join('\n');
    expect(userFrame(stack, ctx)).toBe('sub/etl.dag.ts:7:3');
  });

  it('accepts frames already mapped by --enable-source-maps', () => {
    const stack = `Error: boom\n    at ${url('sub/etl.dag.ts')}:7:3`;
    expect(userFrame(stack, ctx)).toBe('sub/etl.dag.ts:7:3');
  });

  it('returns undefined when no frame lies in the user files', () => {
    const stack = 'Error: boom\n    at run (/work/main/scripts/bundle/evaluate.ts:10:3)';
    expect(userFrame(stack, ctx)).toBeUndefined();
    expect(userFrame(undefined, ctx)).toBeUndefined();
  });
});
