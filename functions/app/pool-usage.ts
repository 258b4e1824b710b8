import type { DagSpec } from '../core/model';
import { type PoolUsage, poolUsage } from '../core/pool-usage';
import type { BundleStore } from '../ports/bundle-store';
import type { RunStore } from '../ports/run-store';

/**
 * What every pool holds now, read like the tick reads it (active runs, their instances, and the
 * DAG each run is pinned to), so the API shows the numbers the scheduler decides with.
 */
export async function readPoolUsage(deps: {
  store: RunStore;
  bundles: BundleStore;
}): Promise<Map<string, PoolUsage>> {
  const runs = await deps.store.listActiveRuns();
  const active = await Promise.all(
    runs.map(async (run) => ({ run, instances: await deps.store.listTaskInstances(run.dagId, run.runId) })),
  );
  const dags = new Map<string, readonly DagSpec[]>();
  for (const version of new Set(runs.map((r) => r.bundleVersion))) {
    // A run whose bundle is gone holds no countable slots; the tick reports that run separately.
    dags.set(
      version,
      await deps.bundles.manifest(version).then(
        (m) => m.dags,
        () => [],
      ),
    );
  }
  return poolUsage(active, (run) => dags.get(run.bundleVersion)?.find((d) => d.dagId === run.dagId));
}
