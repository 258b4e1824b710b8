import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serializeManifest } from '../../functions/adapters/shared/manifest-codec';
import type { BuildResult } from './build';

/** File name of the manifest at the root of a bundle. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Writes `outDir/<version>/` (manifest.json + code/) atomically: everything goes to a temp dir that is
 * renamed into place, so readers never see half a bundle. An existing version dir is left alone:
 * same version means same content.
 */
export async function writeBundle(
  result: BuildResult,
  outDir: string,
): Promise<{ dir: string; version: string }> {
  if (!result.ok)
    throw new Error(`refusing to write a bundle that failed to build (${result.problems.length} problems)`);
  const version = result.manifest.version;
  const dir = path.resolve(outDir, version);
  if (await exists(dir)) return { dir, version };
  await mkdir(path.dirname(dir), { recursive: true });
  // Not mkdtemp: its 0700 mode would stick to the bundle after the rename; mkdir honours the umask.
  const temp = path.join(path.dirname(dir), `.${version}.tmp-${randomUUID()}`);
  await mkdir(temp);
  try {
    await writeFile(path.join(temp, MANIFEST_FILE), serializeManifest(result.manifest));
    for (const [file, bytes] of result.files) {
      const target = path.join(temp, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another writer won the race with identical content; theirs is as good as ours.
    if (await exists(path.join(dir, MANIFEST_FILE))) return { dir, version };
    throw error;
  }
  return { dir, version };
}

/** Every file of a built bundle by its path inside the bundle (`manifest.json`, `code/…`), for uploads. */
export function bundleFiles(result: Extract<BuildResult, { ok: true }>): Map<string, Uint8Array> {
  return new Map([
    [MANIFEST_FILE, new TextEncoder().encode(serializeManifest(result.manifest))],
    ...result.files,
  ]);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
