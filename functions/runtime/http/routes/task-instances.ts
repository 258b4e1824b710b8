import { z } from 'zod';
import {
  type ClearOptions,
  clearTaskInstances,
  runsToClear,
  type TaskSelector,
} from '../../../app/clear-task-instances';
import { buildGraph, topologicalOrder } from '../../../core/graph';
import type { DagSpec, JsonValue, TaskSpec } from '../../../core/model';
import { RunView } from '../../../core/planner/run-view';
import { type DagRunRecord, keyOf, type TaskInstanceRecord } from '../../../core/records';
import { TaskState } from '../../../core/states';
import { displayValue, displayXComKey, isDisplayXComKey } from '../../../core/xcom-display';
import { BundleNotFoundError } from '../../../ports/bundle-store';
import { logJson } from '../../log';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../problem';
import { boolean, integer, jsonBody, pagination } from '../request';
import type { Router } from '../router';
import { isoOrNull, taskInstanceJson } from '../serializers';
import type { ApiRequest } from '../types';
import { findRun } from './dag-runs';
import { findDag } from './dags';

const BASE = '/api/v1/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances';
const STATES: readonly string[] = Object.values(TaskState);

const isoDate = z.iso.datetime({ offset: true });
/** Airflow's `ClearTaskInstances` form; unknown fields are refused. */
const clearSchema = z
  .object({
    dry_run: z.boolean().default(true),
    task_ids: z
      .array(z.union([z.string().min(1), z.tuple([z.string().min(1), z.number().int().min(-1)])]))
      .min(1)
      .nullish(),
    dag_run_id: z.string().min(1).nullish(),
    start_date: isoDate.nullish(),
    end_date: isoDate.nullish(),
    only_failed: z.boolean().default(true),
    only_running: z.boolean().default(false),
    include_subdags: z.boolean().default(false),
    include_parentdag: z.boolean().default(false),
    include_upstream: z.boolean().default(false),
    include_downstream: z.boolean().default(false),
    include_future: z.boolean().default(false),
    include_past: z.boolean().default(false),
    reset_dag_runs: z.boolean().default(true),
  })
  .strict();
type ClearBody = z.infer<typeof clearSchema>;

/**
 * Task instances of a run, their logs and XComs, and `clearTaskInstances`. Specific paths are
 * registered before `{task_id}/{map_index}`, which would otherwise match `…/xcomEntries`.
 */
export function registerTaskInstanceRoutes(router: Router, deps: ApiDeps): void {
  router.on('GET', BASE, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const rows = filterRows(request, await instanceRows(deps, run, dag));
    return page(request, rows, run);
  });

  router.on('GET', `${BASE}/{task_id}/listMapped`, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const task = findTask(dag, request.params.task_id!);
    if (!task.mapped) throw notFound('Task not mapped', `Task with ID = ${task.taskId} is not mapped`);
    const rows = filterRows(request, await instanceRows(deps, run, dag, task.taskId));
    return page(request, rows, run);
  });

  router.on('GET', `${BASE}/{task_id}/logs/{task_try_number}`, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const tryNumber = pathInteger(request, 'task_try_number', 1);
    const fullContent = boolean(request, 'full_content', false);
    const mapIndex = integer(request, 'map_index', -1, -1, Number.MAX_SAFE_INTEGER);
    const offset = fullContent ? 0 : decodeToken(request.query.token);
    const { ti } = await findInstance(deps, run, dag, request.params.task_id!, mapIndex);
    if (tryNumber > ti.tryNumber) {
      const tries = `${ti.tryNumber} ${ti.tryNumber === 1 ? 'try' : 'tries'}`;
      throw notFound(
        'Log not found',
        `task instance ${ti.taskId} (map index ${mapIndex}) has ${tries}, not ${tryNumber}`,
      );
    }
    const chunk = await deps.logs.read(keyOf(ti), tryNumber, { offset });
    if (prefersText(request.headers.accept)) return { status: 200, text: chunk.content };
    return {
      status: 200,
      body: { continuation_token: encodeToken(chunk.nextOffset), content: chunk.content },
    };
  });

  router.on('GET', `${BASE}/{task_id}/xcomEntries`, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const task = findTask(dag, request.params.task_id!);
    const { limit, offset } = pagination(request);
    const mapIndex =
      request.query.map_index === undefined
        ? undefined
        : integer(request, 'map_index', -1, -1, Number.MAX_SAFE_INTEGER);
    const xcomKey = request.query.xcom_key;
    const entries = (await deps.xcom.list(run.dagId, run.runId, task.taskId)).filter(
      (x) =>
        !isDisplayXComKey(x.xcomKey) &&
        (mapIndex === undefined || x.key.mapIndex === mapIndex) &&
        (xcomKey === undefined || x.xcomKey === xcomKey),
    );
    const items = entries
      .slice(offset, offset + limit)
      .map((x) => xcomItem(run, x.key.taskId, x.key.mapIndex, x.xcomKey));
    return { status: 200, body: { xcom_entries: items, total_entries: entries.length } };
  });

  router.on('GET', `${BASE}/{task_id}/xcomEntries/{xcom_key}`, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const task = findTask(dag, request.params.task_id!);
    const mapIndex = integer(request, 'map_index', -1, -1, Number.MAX_SAFE_INTEGER);
    const stringify = boolean(request, 'stringify', true);
    boolean(request, 'deserialize', false); // values are always JSON: nothing to deserialize, validated for clients
    const xcomKey = request.params.xcom_key!;
    const key = { dagId: run.dagId, runId: run.runId, taskId: task.taskId, mapIndex };
    const [value, display] = await Promise.all([
      deps.xcom.pull(key, xcomKey),
      deps.xcom.pull(key, displayXComKey(xcomKey)),
    ]);
    if (value === undefined || isDisplayXComKey(xcomKey)) {
      throw notFound(
        'XCom entry not found',
        `task ${task.taskId} (map index ${mapIndex}) of run ${run.runId} has no XCom "${xcomKey}"`,
      );
    }
    return {
      status: 200,
      // The masked copy the attempt stored when the value held a secret (core/xcom-display).
      body: {
        ...xcomItem(run, task.taskId, mapIndex, xcomKey),
        value: render(displayValue(value, display), stringify),
      },
    };
  });

  router.on('GET', `${BASE}/{task_id}/{map_index}`, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const mapIndex = pathInteger(request, 'map_index', -1);
    const { ti, task } = await findInstance(deps, run, dag, request.params.task_id!, mapIndex);
    return { status: 200, body: instanceJson(ti, run, task) };
  });

  router.on('GET', `${BASE}/{task_id}`, async (request) => {
    const { run, dag } = await runAndDag(deps, request);
    const task = findTask(dag, request.params.task_id!);
    if (task.mapped) {
      throw notFound(
        'Task instance not found',
        `task ${task.taskId} is mapped; add the map index to the URL (…/taskInstances/${task.taskId}/0)`,
      );
    }
    const { ti } = await findInstance(deps, run, dag, task.taskId, -1);
    return { status: 200, body: instanceJson(ti, run, task) };
  });

  router.on('POST', '/api/v1/dags/{dag_id}/clearTaskInstances', async (request) => {
    const { dag } = await findDag(deps, request.params.dag_id!);
    const body = jsonBody(request, clearSchema);
    checkClearBody(body);
    const named = body.dag_run_id ? await findRun(deps, dag.dagId, body.dag_run_id) : undefined;
    const checkDag = named ? ((await pinnedDag(deps, named)) ?? dag) : dag;
    const taskIds = body.task_ids?.map(
      (t): TaskSelector => (typeof t === 'string' ? { taskId: t } : { taskId: t[0], mapIndex: t[1] }),
    );
    const unknown = taskIds?.find((t) => !checkDag.tasks.some((s) => s.taskId === t.taskId));
    if (unknown) throw badRequest(`task_ids: DAG ${dag.dagId} has no task ${JSON.stringify(unknown.taskId)}`);
    const runs = await runsToClear(deps.store, dag.dagId, {
      ...(named && { named }),
      ...(body.start_date && { startDate: new Date(body.start_date).toISOString() }),
      ...(body.end_date && { endDate: new Date(body.end_date).toISOString() }),
      includePast: body.include_past,
      includeFuture: body.include_future,
    });
    const options: ClearOptions & { dryRun: boolean } = {
      ...(taskIds && { taskIds }),
      onlyFailed: body.only_failed,
      onlyRunning: body.only_running,
      includeUpstream: body.include_upstream,
      includeDownstream: body.include_downstream,
      resetDagRuns: body.reset_dag_runs,
      dryRun: body.dry_run,
    };
    const result = await clearTaskInstances(deps, runs, options);
    if (result.stale.length > 0 || result.skippedRuns.length > 0) {
      logJson('warn', 'clear left some task instances or runs as they were', {
        dagId: dag.dagId,
        stale: result.stale,
        skippedRuns: result.skippedRuns,
      });
    }
    if (!body.dry_run && result.cleared.length > 0) await deps.kick?.();
    const items = result.cleared.map(({ key, run }) => ({
      task_id: key.taskId,
      dag_id: key.dagId,
      dag_run_id: key.runId,
      execution_date: isoOrNull(run.logicalDate),
    }));
    return { status: 200, body: { task_instances: items } };
  });
}

/** Airflow's cross-field rules of the clear form, as 400s naming the fields. */
function checkClearBody(body: ClearBody): void {
  if (body.only_failed && body.only_running) {
    throw badRequest(
      'only_failed and only_running are both true (only_failed defaults to true): send only_failed: false',
    );
  }
  if (body.start_date && body.end_date && Date.parse(body.start_date) > Date.parse(body.end_date)) {
    throw badRequest('end_date is sooner than start_date');
  }
  if (body.dag_run_id && (body.start_date || body.end_date)) {
    throw badRequest('send either dag_run_id or start_date/end_date, not both');
  }
}

/** The run named in the path and the DAG of the bundle version it is pinned to. */
async function runAndDag(deps: ApiDeps, request: ApiRequest): Promise<{ run: DagRunRecord; dag: DagSpec }> {
  const run = await findRun(deps, request.params.dag_id!, request.params.dag_run_id!);
  const dag = await pinnedDag(deps, run);
  if (!dag)
    throw notFound(
      'DAG not found',
      `bundle version ${run.bundleVersion} of run ${run.runId} has no DAG ${run.dagId}`,
    );
  return { run, dag };
}

async function pinnedDag(deps: ApiDeps, run: DagRunRecord): Promise<DagSpec | undefined> {
  try {
    return (await deps.bundles.manifest(run.bundleVersion)).dags.find((d) => d.dagId === run.dagId);
  } catch (error) {
    if (error instanceof BundleNotFoundError) return undefined;
    throw error;
  }
}

function findTask(dag: DagSpec, taskId: string): TaskSpec {
  const task = dag.tasks.find((t) => t.taskId === taskId);
  if (!task) throw notFound('Task not found', `Task with ID = ${taskId} not found in DAG ${dag.dagId}`);
  return task;
}

interface Row {
  ti: TaskInstanceRecord;
  task: TaskSpec;
}

/**
 * Every instance of the run's DAG (of one task when `only` is given), in topological order then
 * map index: a task without a record is one instance in state None, a mapped task one row per
 * map index (or one -1 row before it is expanded), as the planner sees them.
 */
async function instanceRows(deps: ApiDeps, run: DagRunRecord, dag: DagSpec, only?: string): Promise<Row[]> {
  const view = new RunView(dag, await deps.store.listTaskInstances(run.dagId, run.runId));
  const specs = new Map(dag.tasks.map((t) => [t.taskId, t]));
  return topologicalOrder(buildGraph(dag.tasks))
    .filter((taskId) => only === undefined || taskId === only)
    .flatMap((taskId) =>
      view
        .instances(taskId)
        .map((v) => ({ ti: v.record ?? blank(run, taskId, v.mapIndex), task: specs.get(taskId)! })),
    );
}

const blank = (run: DagRunRecord, taskId: string, mapIndex: number): TaskInstanceRecord => ({
  dagId: run.dagId,
  runId: run.runId,
  taskId,
  mapIndex,
  state: TaskState.None,
  tryNumber: 0,
});

async function findInstance(
  deps: ApiDeps,
  run: DagRunRecord,
  dag: DagSpec,
  taskId: string,
  mapIndex: number,
): Promise<Row> {
  findTask(dag, taskId);
  const row = (await instanceRows(deps, run, dag, taskId)).find((r) => r.ti.mapIndex === mapIndex);
  if (!row)
    throw notFound(
      'Task instance not found',
      `task ${taskId} of run ${run.runId} has no instance with map index ${mapIndex}`,
    );
  return row;
}

/** Airflow's `state` (repeatable or comma-separated; `none` is None) and `pool` filters. */
function filterRows(request: ApiRequest, rows: Row[]): Row[] {
  const states = (request.multiQuery.state ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  const unknown = states.find((s) => !STATES.includes(s));
  if (unknown)
    throw badRequest(`state: unknown task instance state ${JSON.stringify(unknown)} (${STATES.join(', ')})`);
  const pools = request.multiQuery.pool ?? [];
  return rows.filter(
    (r) =>
      (states.length === 0 || states.includes(r.ti.state)) &&
      (pools.length === 0 || pools.includes(r.task.pool)),
  );
}

function page(request: ApiRequest, rows: Row[], run: DagRunRecord) {
  const { limit, offset } = pagination(request);
  const items = rows.slice(offset, offset + limit).map((r) => instanceJson(r.ti, run, r.task));
  return { status: 200, body: { task_instances: items, total_entries: rows.length } };
}

/** `taskInstanceJson`, without an end date left over from an earlier try (the store cannot unset fields on a clear). */
function instanceJson(ti: TaskInstanceRecord, run: DagRunRecord, task: TaskSpec) {
  const stale = ti.endDate !== undefined && ti.startDate !== undefined && ti.endDate < ti.startDate;
  return taskInstanceJson(stale ? { ...ti, endDate: undefined } : ti, run, task);
}

/** A path parameter that must be a whole number ≥ `min`; 400 naming it otherwise. */
function pathInteger(request: ApiRequest, name: string, min: number): number {
  const raw = request.params[name]!;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || !Number.isSafeInteger(value)) {
    throw badRequest(`path parameter ${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The continuation token: the log reader's `nextOffset` as base64url JSON. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a token carries (0 without one); 400 for anything this endpoint did not issue. */
export function decodeToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  let offset: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw badRequest('query parameter token is not a continuation_token returned by this endpoint');
  }
  return offset;
}

/**
 * True when `Accept` ranks text/plain above application/json (RFC 9110 q-values, the most specific
 * range deciding). A tie, `*\/*` or no header means JSON, the default of Airflow's clients.
 */
export function prefersText(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { range, quality: Number.isFinite(quality) ? quality : 0 };
  });
  const qualityOf = (type: string) => {
    const [main] = type.split('/');
    const exact = ranges.find((r) => r.range === type);
    const wild = ranges.find((r) => r.range === `${main}/*`) ?? ranges.find((r) => r.range === '*/*');
    return (exact ?? wild)?.quality ?? 0;
  };
  return qualityOf('text/plain') > qualityOf('application/json');
}

/** Airflow's `XComCollectionItem` (Updraft keeps no push time: `timestamp` is null). */
function xcomItem(run: DagRunRecord, taskId: string, mapIndex: number, key: string) {
  return {
    key,
    timestamp: null,
    logical_date: isoOrNull(run.logicalDate),
    execution_date: isoOrNull(run.logicalDate),
    map_index: mapIndex,
    task_id: taskId,
    dag_id: run.dagId,
  };
}

/** Airflow's `stringify` (default true): the value as text (strings as they are, the rest as JSON). */
function render(value: JsonValue, stringify: boolean): JsonValue {
  if (!stringify || typeof value === 'string') return value;
  return JSON.stringify(value);
}
