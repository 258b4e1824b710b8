import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeManifest } from '../../functions/adapters/shared/manifest-codec';
import type { DagSpec, Manifest } from '../../functions/core/model';
import {
  type BundleImportError,
  BundleNotFoundError,
  type BundleStore,
} from '../../functions/ports/bundle-store';
import { dagSpec, taskSpec } from '../helpers/specs';

/** A valid one-DAG manifest of `version`. */
export function manifestFor(version: string, dagId = 'etl'): Manifest {
  const dag: DagSpec = dagSpec(dagId, {
    owner: 'data',
    schedule: { kind: 'cron', expression: '0 2 * * *' },
    tasks: [taskSpec('extract', { owner: 'data' })],
  });
  return { schemaVersion: 1, version, dags: [dag] };
}

/** The files of a built bundle: its manifest and code modules (one nested). */
export function bundleFiles(version: string, dagId = 'etl'): Map<string, Uint8Array> {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  return new Map([
    ['manifest.json', utf8(serializeManifest(manifestFor(version, dagId)))],
    [`code/${dagId}.dag.mjs`, utf8(`export const version = ${JSON.stringify(version)};\n`)],
    ['code/lib/util.mjs', utf8('export const util = 1;\n')],
  ]);
}

/** The BundleStore port contract: what every adapter must do. */
export function bundleStoreContract(name: string, setup: () => Promise<BundleStore>): void {
  describe(`BundleStore contract: ${name}`, () => {
    it('has no current manifest before the first publish', async () => {
      const store = await setup();
      expect(await store.currentManifest()).toBeUndefined();
    });

    it('serves the published bundle as current, and by version', async () => {
      const store = await setup();
      await store.publish('v1', bundleFiles('v1'));
      expect(await store.currentManifest()).toEqual(manifestFor('v1'));
      expect(await store.manifest('v1')).toEqual(manifestFor('v1'));
    });

    it('switches to a newer version and keeps the old one readable (runs stay pinned)', async () => {
      const store = await setup();
      await store.publish('v1', bundleFiles('v1'));
      expect((await store.currentManifest())?.version).toBe('v1');
      await store.publish('v2', bundleFiles('v2', 'other'));
      expect(await store.currentManifest()).toEqual(manifestFor('v2', 'other'));
      expect(await store.manifest('v1')).toEqual(manifestFor('v1'));
    });

    it('unpacks a version into a local folder, once for concurrent callers', async () => {
      const store = await setup();
      await store.publish('v1', bundleFiles('v1'));
      const dirs = await Promise.all([store.localDir('v1'), store.localDir('v1'), store.localDir('v1')]);
      expect(new Set(dirs).size).toBe(1);
      const dir = dirs[0]!;
      expect(await readFile(join(dir, 'code/etl.dag.mjs'), 'utf8')).toBe('export const version = "v1";\n');
      expect(await readFile(join(dir, 'code/lib/util.mjs'), 'utf8')).toBe('export const util = 1;\n');
      expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifestFor('v1'));
    });

    it.each(['nope', '../v1', 'a/b', ''])('reports version %j as not found', async (version) => {
      const store = await setup();
      await store.publish('v1', bundleFiles('v1'));
      await expect(store.manifest(version)).rejects.toBeInstanceOf(BundleNotFoundError);
      await expect(store.localDir(version)).rejects.toBeInstanceOf(BundleNotFoundError);
      await expect(store.manifest(version)).rejects.toMatchObject({ version });
    });

    it('refuses to publish a bundle whose manifest is missing, invalid or of another version', async () => {
      const store = await setup();
      await store.publish('v1', bundleFiles('v1'));
      const noManifest = bundleFiles('v2');
      noManifest.delete('manifest.json');
      await expect(store.publish('v2', noManifest)).rejects.toThrow(/manifest\.json/);
      await expect(store.publish('v3', bundleFiles('v2'))).rejects.toThrow(/version v2.*v3/);
      const broken = bundleFiles('v4');
      broken.set('manifest.json', new TextEncoder().encode('{"schemaVersion":1}'));
      await expect(store.publish('v4', broken)).rejects.toThrow(/invalid manifest/);
      await expect(
        store.publish('v5', new Map([...bundleFiles('v5'), ['../x', new Uint8Array()]])),
      ).rejects.toThrow(/invalid bundle file path/);
      expect((await store.currentManifest())?.version).toBe('v1');
      await expect(store.manifest('v2')).rejects.toBeInstanceOf(BundleNotFoundError);
    });
  });
}

/** The import-error members of the BundleStore contract (every adapter, including memory). */
export function bundleImportErrorsContract(name: string, setup: () => Promise<BundleStore>): void {
  describe(`BundleStore import errors contract: ${name}`, () => {
    const errors: BundleImportError[] = [
      {
        timestamp: '2024-05-01T10:00:00.000Z',
        filename: 'etl.dag.ts',
        message: 'etl.dag.ts: cycle a → b → a',
      },
      {
        timestamp: '2024-05-01T10:00:00.000Z',
        filename: 'ünï/cödé.dag.ts',
        message: 'SyntaxError:\n  at line 3',
      },
    ];

    it('has no import errors before any were recorded', async () => {
      const store = await setup();
      expect(await store.importErrors()).toEqual([]);
    });

    it('returns the recorded errors in order, and replaces them on the next record', async () => {
      const store = await setup();
      await store.recordImportErrors(errors);
      expect(await store.importErrors()).toEqual(errors);
      await store.recordImportErrors([errors[1]!]);
      expect(await store.importErrors()).toEqual([errors[1]]);
      await store.recordImportErrors([]);
      expect(await store.importErrors()).toEqual([]);
    });

    it('keeps import errors apart from bundles', async () => {
      const store = await setup();
      await store.recordImportErrors(errors);
      await store.publish('v1', bundleFiles('v1'));
      expect(await store.importErrors()).toEqual(errors);
      expect((await store.currentManifest())?.version).toBe('v1');
    });

    it('hands out copies: changing a returned or recorded list changes nothing stored', async () => {
      const store = await setup();
      const recorded = structuredClone(errors);
      await store.recordImportErrors(recorded);
      recorded[0]!.message = 'changed';
      const read = await store.importErrors();
      read.pop();
      expect(await store.importErrors()).toEqual(errors);
    });
  });
}
