import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseManifest } from '../../functions/adapters/shared/manifest-codec';
import type { DagDefinition } from '../../functions/core/dag-definition';
import type { DagSpec, Manifest } from '../../functions/core/model';
import { exportedDags } from './evaluate';
import { MANIFEST_FILE } from './write';

/** A DAG of a bundle on disk: its serialized form and the live object behind it (for task functions). */
export interface LoadedDag {
  dagId: string;
  spec: DagSpec;
  /** Absolute path of the evaluated module. */
  modulePath: string;
  definition: DagDefinition;
}

/** Reads and validates `<bundleDir>/manifest.json`. */
export async function readBundleManifest(bundleDir: string): Promise<Manifest> {
  const file = path.join(bundleDir, MANIFEST_FILE);
  return parseManifest(JSON.parse(await readFile(file, 'utf8')), file);
}

/**
 * Imports the modules of a written bundle (`writeBundle`'s dir) and returns each manifest DAG with
 * its DagDefinition, keyed by DAG id. Throws when a module no longer exports a DAG the manifest lists.
 */
export async function loadBundleDags(bundleDir: string): Promise<Map<string, LoadedDag>> {
  const manifest = await readBundleManifest(bundleDir);
  const byModule = new Map<string, DagDefinition[]>();
  const loaded = new Map<string, LoadedDag>();
  for (const spec of manifest.dags) {
    const modulePath = path.resolve(bundleDir, spec.module);
    let dags = byModule.get(modulePath);
    if (!dags) {
      dags = exportedDags(await import(pathToFileURL(modulePath).href));
      byModule.set(modulePath, dags);
    }
    const definition = dags.find((d) => d.dagId === spec.dagId);
    if (!definition)
      throw new Error(`bundle ${bundleDir}: ${spec.module} does not export DAG "${spec.dagId}"`);
    loaded.set(spec.dagId, { dagId: spec.dagId, spec, modulePath, definition });
  }
  return loaded;
}
