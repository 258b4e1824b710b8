import { z } from 'zod';
import { markDagRun } from '../../../app/mark-dag-run';
import { triggerDagRun } from '../../../app/trigger-dag-run';
import type { JsonValue } from '../../../core/model';
import { DagRunState } from '../../../core/states';
import { RunAlreadyExistsError } from '../../../ports/errors';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, notFound } from '../problem';
import { jsonBody, pagination } from '../request';
import type { Router } from '../router';
import { dagRunJson } from '../serializers';
import { findDag } from './dags';

const isoDate = z.iso.datetime({ offset: true });
const triggerSchema = z
  .object({
    dag_run_id: z
      .string()
      .min(1)
      .max(250)
      .refine((id) => !id.includes('/') && ![...id].some((c) => c.charCodeAt(0) < 0x20), {
        message: 'must not contain slashes or control characters',
      })
      .nullish(),
    logical_date: isoDate.nullish(),
    execution_date: isoDate.nullish(),
    data_interval_start: isoDate.nullish(),
    data_interval_end: isoDate.nullish(),
    conf: z.record(z.string(), z.json()).nullish(),
    note: z.string().max(1000).nullish(),
  })
  .strict();
const patchSchema = z.object({ state: z.enum(['success', 'failed']) }).strict();
const ORDERS = {
  logical_date: 'asc',
  '-logical_date': 'desc',
  execution_date: 'asc',
  '-execution_date': 'desc',
} as const;

/** `/dags/{dag_id}/dagRuns` and `/dags/{dag_id}/dagRuns/{dag_run_id}`. */
export function registerDagRunRoutes(router: Router, deps: ApiDeps): void {
  router.on('POST', '/api/v1/dags/{dag_id}/dagRuns', async (request) => {
    const { dag } = await findDag(deps, request.params.dag_id!);
    const body = jsonBody(request, triggerSchema);
    if (body.logical_date && body.execution_date && body.logical_date !== body.execution_date) {
      throw badRequest(
        'logical_date and execution_date (its deprecated alias) differ; send only logical_date',
      );
    }
    const logicalDate = body.logical_date ?? body.execution_date;
    // Airflow 2.8: both interval bounds or neither; the run then covers exactly that interval.
    if (Boolean(body.data_interval_start) !== Boolean(body.data_interval_end)) {
      throw badRequest('data_interval_start and data_interval_end must be given together');
    }
    const dataInterval =
      body.data_interval_start && body.data_interval_end
        ? {
            start: new Date(body.data_interval_start).toISOString(),
            end: new Date(body.data_interval_end).toISOString(),
          }
        : undefined;
    if (dataInterval && dataInterval.end < dataInterval.start)
      throw badRequest('data_interval_end is before data_interval_start');
    try {
      const result = await triggerDagRun(deps, {
        dagId: dag.dagId,
        ...(body.dag_run_id && { runId: body.dag_run_id }),
        ...(logicalDate && { logicalDate: new Date(logicalDate).toISOString() }),
        ...(body.conf && { conf: body.conf as Record<string, JsonValue> }),
        ...(body.note && { note: body.note }),
        ...(dataInterval && { dataInterval }),
      });
      if (!result.ok)
        throw new ApiError(
          result.kind === 'unknown_dag' ? 404 : 400,
          'Bad Request',
          `conf: ${result.message}`,
        );
      await deps.kick?.();
      return { status: 200, body: dagRunJson(result.run) };
    } catch (error) {
      if (!(error instanceof RunAlreadyExistsError)) throw error;
      throw new ApiError(
        409,
        'DAGRun already exists',
        `DAGRun with DAG ID: '${dag.dagId}' and DAGRun ID or logical date of '${body.dag_run_id ?? logicalDate}' already exists`,
      );
    }
  });

  router.on('GET', '/api/v1/dags/{dag_id}/dagRuns', async (request) => {
    const dagId = request.params.dag_id!;
    if (dagId === '~') throw badRequest('listing the runs of all DAGs (~) is not supported; name one DAG');
    await findDag(deps, dagId);
    const { limit, offset } = pagination(request);
    const states = request.multiQuery.state ?? [];
    const unknown = states.find((s) => !Object.values(DagRunState).includes(s as DagRunState));
    if (unknown)
      throw badRequest(
        `state: unknown run state ${JSON.stringify(unknown)} (queued, running, success, failed)`,
      );
    const orderBy = request.query.order_by ?? 'logical_date';
    const order = ORDERS[orderBy as keyof typeof ORDERS];
    if (!order)
      throw badRequest(`order_by: use logical_date or -logical_date, got ${JSON.stringify(orderBy)}`);
    const page = await deps.store.listRuns(dagId, { states: states as DagRunState[], order, limit, offset });
    return { status: 200, body: { dag_runs: page.runs.map(dagRunJson), total_entries: page.total } };
  });

  router.on('GET', '/api/v1/dags/{dag_id}/dagRuns/{dag_run_id}', async ({ params }) => {
    return { status: 200, body: dagRunJson(await findRun(deps, params.dag_id!, params.dag_run_id!)) };
  });

  router.on('PATCH', '/api/v1/dags/{dag_id}/dagRuns/{dag_run_id}', async (request) => {
    const { dag } = await findDag(deps, request.params.dag_id!);
    const run = await findRun(deps, dag.dagId, request.params.dag_run_id!);
    const { state } = jsonBody(request, patchSchema);
    const pinned =
      (await deps.bundles.manifest(run.bundleVersion)).dags.find((d) => d.dagId === dag.dagId) ?? dag;
    return { status: 200, body: dagRunJson(await markDagRun(deps, pinned, run, state)) };
  });

  router.on('DELETE', '/api/v1/dags/{dag_id}/dagRuns/{dag_run_id}', async ({ params }) => {
    if (!(await deps.store.deleteRun(params.dag_id!, params.dag_run_id!))) {
      throw notFound(
        'DAGRun not found',
        `DAGRun with DAG ID: '${params.dag_id}' and DagRun ID: '${params.dag_run_id}' not found`,
      );
    }
    return { status: 204 };
  });
}

/** A run of a DAG, or 404 in Airflow's words. */
export async function findRun(deps: ApiDeps, dagId: string, runId: string) {
  const run = await deps.store.getRun(dagId, runId);
  if (!run)
    throw notFound('DAGRun not found', `DAGRun with DAG ID: '${dagId}' and DagRun ID: '${runId}' not found`);
  return run;
}
