import { describe, expect, it } from 'vitest';
import type { DagSpec, Manifest } from '../../../functions/core/model';
import { bundleVersion, VERSION_LENGTH } from '../../../scripts/bundle/version';
import { dagSpec } from '../../helpers/specs';

const bytes = (text: string) => new TextEncoder().encode(text);

const dag: DagSpec = dagSpec('etl', { params: { b: { default: 1 }, a: { default: 2 } }, tasks: [] });
const body: Omit<Manifest, 'version'> = { schemaVersion: 1, dags: [dag] };
const files = () =>
  new Map([
    ['code/etl.dag.mjs', bytes('export default 1;')],
    ['code/etl.dag.mjs.map', bytes('{}')],
  ]);

describe('bundleVersion', () => {
  it('is 16 hex characters and the same for the same sources', () => {
    const version = bundleVersion(files(), body);
    expect(version).toMatch(new RegExp(`^[0-9a-f]{${VERSION_LENGTH}}$`));
    expect(bundleVersion(files(), structuredClone(body))).toBe(version);
  });

  it('ignores the order files were produced in and the order map keys were inserted in', () => {
    const reversed = new Map([...files()].reverse());
    const reorderedParams = { ...body, dags: [{ ...dag, params: { a: { default: 2 }, b: { default: 1 } } }] };
    expect(bundleVersion(reversed, reorderedParams)).toBe(bundleVersion(files(), body));
  });

  type Input = [Map<string, Uint8Array>, Omit<Manifest, 'version'>];
  it.each<[string, () => Input]>([
    ['a module byte', () => [new Map([...files(), ['code/etl.dag.mjs', bytes('export default 2;')]]), body]],
    ['a module path', () => [new Map([...files()].map(([k, v]) => [k.replace('etl', 'etl2'), v])), body]],
    ['the manifest body', () => [files(), { ...body, dags: [{ ...dag, tags: ['x'] }] }]],
    // Framing: moving bytes from one file's end to the next file's start must change the hash.
    [
      'the split between files',
      () => [
        new Map([
          ['code/etl.dag.mjs', bytes('export default 1;{')],
          ['code/etl.dag.mjs.map', bytes('}')],
        ]),
        body,
      ],
    ],
  ])('changes when %s changes', (_what, make) => {
    const [changedFiles, changedBody] = make();
    expect(bundleVersion(changedFiles, changedBody)).not.toBe(bundleVersion(files(), body));
  });
});
