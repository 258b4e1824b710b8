import { formatProblem } from '../../functions/core/validation/problem';
import type { BundleStore } from '../../functions/ports/bundle-store';
import { type BuildResult, buildBundle, bundleFiles } from '../bundle';

/** A bundle that built. */
export type PublishedBundle = Extract<BuildResult, { ok: true }>;

/** Thrown when a DAGs folder does not build; `problems` are formatted lines with file, DAG and task. */
export class BundleRejectedError extends Error {
  override readonly name = 'BundleRejectedError';
  constructor(readonly problems: string[]) {
    super(`the DAG bundle does not build:\n${problems.join('\n')}`);
  }
}

/**
 * Builds a DAGs folder and publishes it as the current bundle. A folder that does not build is
 * refused: its problems are recorded as import errors (the API's /importErrors) and the current
 * bundle stays in place.
 */
export async function publishDagsFolder(bundles: BundleStore, dagsFolder: string): Promise<PublishedBundle> {
  const built = await buildBundle({ dagsFolder });
  const now = new Date().toISOString();
  if (!built.ok) {
    await bundles.recordImportErrors(
      built.problems.map((p) => ({
        timestamp: now,
        filename: p.file ?? dagsFolder,
        message: formatProblem(p),
      })),
    );
    throw new BundleRejectedError(built.problems.map(formatProblem));
  }
  const current = await bundles.currentManifest();
  if (current?.version !== built.manifest.version)
    await bundles.publish(built.manifest.version, bundleFiles(built));
  await bundles.recordImportErrors([]);
  return built;
}
