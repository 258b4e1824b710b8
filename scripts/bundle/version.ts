import { createHash } from 'node:crypto';
import { serializeManifest } from '../../functions/adapters/shared/manifest-codec';
import type { Manifest } from '../../functions/core/model';
import { compareStrings } from './paths';

/** Hex characters of the sha256 kept as the bundle version: short enough to read, long enough not to collide. */
export const VERSION_LENGTH = 16;

// The version cannot hash itself; a fixed placeholder keeps the canonical serializer usable.
const UNVERSIONED = 'unversioned';

/**
 * The bundle version: sha256 over the sorted module paths and bytes and the canonical manifest body.
 * Same sources ⇒ same version, whatever order the files were produced in.
 */
export function bundleVersion(
  files: ReadonlyMap<string, Uint8Array>,
  body: Omit<Manifest, 'version'>,
): string {
  const hash = createHash('sha256');
  for (const file of [...files.keys()].sort(compareStrings)) {
    const bytes = files.get(file)!;
    // Lengths make the framing unambiguous: no two different file sets hash the same stream.
    hash.update(`${file}\0${bytes.byteLength}\0`);
    hash.update(bytes);
  }
  hash.update('manifest\0');
  hash.update(serializeManifest({ ...body, version: UNVERSIONED }));
  return hash.digest('hex').slice(0, VERSION_LENGTH);
}
