import { z } from 'zod';
import type { DagSpec, Manifest } from '../../../core/model';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../problem';
import { boolean, jsonBody, pagination } from '../request';
import type { Router } from '../router';
import { dagDetailJson, dagJson } from '../serializers';
import type { ApiRequest } from '../types';

/** The current manifest, or an empty one before the first upload. */
async function currentManifest(deps: ApiDeps): Promise<Manifest> {
  return (await deps.bundles.currentManifest()) ?? { schemaVersion: 1, version: 'none', dags: [] };
}

/** The DAG of the current bundle, or 404. */
export async function findDag(deps: ApiDeps, dagId: string): Promise<{ dag: DagSpec; manifest: Manifest }> {
  const manifest = await currentManifest(deps);
  const dag = manifest.dags.find((d) => d.dagId === dagId);
  if (!dag) throw notFound('DAG not found', `DAG with dag_id: '${dagId}' not found`);
  return { dag, manifest };
}

const patchSchema = z.object({ is_paused: z.boolean() }).strict();

/** `/dags`, `/dags/{dag_id}`, `/dags/{dag_id}/details`. */
export function registerDagRoutes(router: Router, deps: ApiDeps): void {
  router.on('GET', '/api/v1/dags', async (request) => {
    const { limit, offset } = pagination(request);
    const manifest = await currentManifest(deps);
    const states = await deps.store.getDagStates(manifest.dags.map((d) => d.dagId));
    const matching = filterDags(request, manifest.dags, (id) => states.get(id)?.isPaused);
    const page = matching.slice(offset, offset + limit);
    return {
      status: 200,
      body: {
        dags: page.map((d) => dagJson(d, states.get(d.dagId), manifest.version)),
        total_entries: matching.length,
      },
    };
  });

  router.on('GET', '/api/v1/dags/{dag_id}', async ({ params }) => {
    const { dag, manifest } = await findDag(deps, params.dag_id!);
    const states = await deps.store.getDagStates([dag.dagId]);
    return { status: 200, body: dagJson(dag, states.get(dag.dagId), manifest.version) };
  });

  router.on('GET', '/api/v1/dags/{dag_id}/details', async ({ params }) => {
    const { dag, manifest } = await findDag(deps, params.dag_id!);
    const states = await deps.store.getDagStates([dag.dagId]);
    return { status: 200, body: dagDetailJson(dag, states.get(dag.dagId), manifest.version) };
  });

  router.on('PATCH', '/api/v1/dags/{dag_id}', async (request) => {
    const mask = request.query.update_mask;
    if (mask !== undefined && mask !== 'is_paused') {
      throw badRequest(`update_mask: only "is_paused" can be updated, got ${JSON.stringify(mask)}`);
    }
    const { dag, manifest } = await findDag(deps, request.params.dag_id!);
    const body = jsonBody(request, patchSchema);
    await deps.store.setDagPaused(dag.dagId, body.is_paused);
    const states = await deps.store.getDagStates([dag.dagId]);
    return { status: 200, body: dagJson(dag, states.get(dag.dagId), manifest.version) };
  });
}

/** Airflow's list filters: `tags` (any of), `dag_id_pattern` (substring), `paused`, `only_active`; `order_by`. */
function filterDags(
  request: ApiRequest,
  dags: readonly DagSpec[],
  paused: (dagId: string) => boolean | undefined,
) {
  const tags = request.multiQuery.tags ?? [];
  const pattern = request.query.dag_id_pattern?.toLowerCase();
  const pausedFilter = request.query.paused === undefined ? undefined : boolean(request, 'paused', false);
  boolean(request, 'only_active', true); // every DAG of the current bundle is active; validated for Airflow clients
  const order = request.query.order_by ?? 'dag_id';
  if (order !== 'dag_id' && order !== '-dag_id')
    throw badRequest(`order_by: use dag_id or -dag_id, got ${JSON.stringify(order)}`);
  const selected = dags.filter(
    (d) =>
      (tags.length === 0 || d.tags.some((t) => tags.includes(t))) &&
      (pattern === undefined || d.dagId.toLowerCase().includes(pattern)) &&
      (pausedFilter === undefined || (paused(d.dagId) ?? d.isPausedUponCreation) === pausedFilter),
  );
  const sorted = [...selected].sort((a, b) => a.dagId.localeCompare(b.dagId));
  return order === '-dag_id' ? sorted.reverse() : sorted;
}
