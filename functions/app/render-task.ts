import type { Connection } from '../core/connection';
import type { JsonValue, TaskSpec } from '../core/model';
import type { TaskInstanceKey } from '../core/records';
import { DagRunState } from '../core/states';
import { RETURN_VALUE_KEY } from '../core/task-context';
import { type TemplateContextInput, templateContext } from '../core/templating/context';
import { templateDate } from '../core/templating/template-date';
import { type RenderField, renderOperator } from '../core/templating/templated-fields';
import type { RunStore } from '../ports/run-store';
import type { SecretProvider } from '../ports/secret-provider';
import { type TemplateEngine, TemplateError } from '../ports/template-engine';
import type { XComStore } from '../ports/xcom-store';
import { LazyLookups } from './lazy-lookups';

/** Ports rendering needs: the engine, and where `var`, `conn`, `ti.xcom_pull` and prev-success read from. */
export interface RenderDeps {
  templates: TemplateEngine;
  store: Pick<RunStore, 'listRuns'>;
  xcom: Pick<XComStore, 'pull'>;
  secrets?: SecretProvider;
}

/** One attempt's rendering input: what the template context is built from, for one task instance. */
export type RenderArgs = TemplateContextInput &
  Required<Pick<TemplateContextInput, 'task' | 'key' | 'tryNumber'>>;

/** The task with its templated fields rendered, and those values by field path. */
export interface RenderedTask {
  task: TaskSpec;
  fields: Record<string, string>;
}

/** A templated field that failed to render: names the field and what went wrong. */
export class FieldTemplateError extends Error {
  override readonly name = 'FieldTemplateError';
  constructor(
    readonly field: string,
    cause: TemplateError,
  ) {
    super(`template error in field "${field}": ${cause.message}`, { cause });
  }
}

/** Render passes at most: each pass may discover values the next one has fetched (var → conn → …). */
const MAX_PASSES = 5;

/**
 * Renders the task's templated fields (Airflow's `template_fields`) just before it runs, with
 * Airflow's context. Values that need I/O are fetched on demand: only what a template reads.
 */
export async function renderTask(deps: RenderDeps, args: RenderArgs): Promise<RenderedTask> {
  const templates = collectTemplates(args.task);
  if (templates.length === 0) return { task: args.task, fields: {} };
  const base = { ...templateContext(args), ...(await previousSuccess(deps, args, templates)) };
  const { value: operator, fields } = await renderLazily(deps, base, args.key, (render) =>
    renderOperator(args.task.operator, render),
  );
  return { task: { ...args.task, operator }, fields };
}

/**
 * Runs `produce` with a field renderer over `base` plus `var`, `conn` and (with a task
 * instance key) `ti.xcom_pull`, fetching what the templates read and rendering again until
 * nothing new is read. The first field that still fails throws a FieldTemplateError.
 */
export async function renderLazily<T>(
  deps: Pick<RenderDeps, 'templates' | 'secrets'> & { xcom?: RenderDeps['xcom'] },
  base: Record<string, unknown>,
  key: TaskInstanceKey | undefined,
  produce: (render: RenderField) => T,
): Promise<{ value: T; fields: Record<string, string> }> {
  const lookups = {
    variables: new LazyLookups<string>(''),
    connections: new LazyLookups<Connection>({ connId: '', connType: '', extra: {} }),
    xcoms: new LazyLookups<JsonValue>(''),
  };
  const context: Record<string, unknown> = {
    ...base,
    var: {
      value: lookups.variables.asObject({
        get: (name: string, fallback?: string) => lookups.variables.read(String(name)) ?? fallback,
      }),
      json: jsonVariables(lookups.variables),
    },
    conn: connectionsView(lookups.connections),
  };
  if (key && context.ti) context.ti = { ...(context.ti as object), xcom_pull: xcomPull(key, lookups.xcoms) };
  for (let pass = 1; ; pass++) {
    const fields: Record<string, string> = {};
    let failure: FieldTemplateError | undefined;
    const render: RenderField = (path, template) => {
      try {
        const value = deps.templates.render(template, context);
        fields[path] = value;
        return value;
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        failure ??= new FieldTemplateError(path, error);
        return template;
      }
    };
    const value = produce(render);
    const waiting = Object.values(lookups).some((l) => l.pending().length > 0);
    if (!waiting || pass >= MAX_PASSES) {
      if (failure) throw failure;
      return { value, fields };
    }
    const xcom = deps.xcom;
    await Promise.all([
      lookups.variables.fetchPending(async (name) => deps.secrets?.variable(name)),
      lookups.connections.fetchPending(async (id) => deps.secrets?.connection(id)),
      lookups.xcoms.fetchPending(async (ref) => (key && xcom ? pullRef(xcom, key, ref) : undefined)),
    ]);
  }
}

function collectTemplates(task: TaskSpec): string[] {
  const found: string[] = [];
  renderOperator(task.operator, (_path, template) => {
    if (template.includes('{{') || template.includes('{%')) found.push(template);
    return template;
  });
  return found;
}

/** `var.json.<key>`: the variable parsed as JSON (undefined while not fetched or not JSON). */
function jsonVariables(variables: LazyLookups<string>): Record<string, unknown> {
  const parse = (name: string) => {
    const text = variables.read(name);
    if (text === undefined || text === '') return text === '' ? {} : undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TemplateError(`variable "${name}" is not JSON (var.json.${name})`);
    }
  };
  return computedObject(parse);
}

/** `conn.<id>` with Airflow's attribute names (`host`, `login`, `password`, `port`, `schema`, `extra_dejson`). */
function connectionsView(connections: LazyLookups<Connection>): Record<string, unknown> {
  const view = (id: string) => {
    const c = connections.read(id);
    if (!c) return undefined;
    return {
      conn_id: c.connId,
      conn_type: c.connType,
      host: c.host ?? '',
      login: c.login ?? '',
      password: c.password ?? '',
      port: c.port ?? '',
      schema: c.schema ?? '',
      extra: JSON.stringify(c.extra),
      extra_dejson: c.extra,
    };
  };
  return computedObject(view);
}

/** An object whose properties are computed by name and report as own (the template sandbox reads only those). */
function computedObject(compute: (name: string) => unknown): Record<string, unknown> {
  return new Proxy(
    {},
    {
      get: (_t, name) => (typeof name === 'string' ? compute(name) : undefined),
      getOwnPropertyDescriptor: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        const value = compute(name);
        return value === undefined
          ? undefined
          : { value, configurable: true, enumerable: true, writable: false };
      },
    },
  );
}

/** `ti.xcom_pull(task_ids='x', key='return_value')` (keyword or positional), from this run. */
function xcomPull(key: TaskInstanceKey, xcoms: LazyLookups<JsonValue>) {
  return (...args: unknown[]) => {
    const last = args.at(-1);
    const kwargs = isKeywords(last) ? (last as Record<string, unknown>) : {};
    const positional = isKeywords(last) ? args.slice(0, -1) : args;
    const taskIds = kwargs.task_ids ?? positional[0] ?? key.taskId;
    const xcomKey = String(kwargs.key ?? positional[1] ?? RETURN_VALUE_KEY);
    const one = (taskId: unknown) => xcoms.read(JSON.stringify([String(taskId), xcomKey]));
    return Array.isArray(taskIds) ? taskIds.map(one) : one(taskIds);
  };
}

const isKeywords = (value: unknown) =>
  typeof value === 'object' && value !== null && (value as { __keywords?: boolean }).__keywords === true;

function pullRef(xcom: Pick<XComStore, 'pull'>, key: TaskInstanceKey, ref: string) {
  const [taskId, xcomKey] = JSON.parse(ref) as [string, string];
  return xcom.pull({ ...key, taskId, mapIndex: -1 }, xcomKey);
}

/**
 * `prev_data_interval_start_success` / `_end_success` / `prev_start_date_success`: the latest
 * successful run before this one. Read only when a template mentions them (one query).
 */
async function previousSuccess(
  deps: RenderDeps,
  args: RenderArgs,
  templates: readonly string[],
): Promise<Record<string, unknown>> {
  if (!templates.some((t) => t.includes('_success'))) return {};
  const { runs } = await deps.store.listRuns(args.run.dagId, {
    states: [DagRunState.Success],
    order: 'desc',
    limit: 100,
  });
  const previous = runs.find((r) => r.logicalDate < args.run.logicalDate);
  return {
    prev_data_interval_start_success: previous ? templateDate(previous.dataIntervalStart) : null,
    prev_data_interval_end_success: previous ? templateDate(previous.dataIntervalEnd) : null,
    prev_start_date_success: previous?.startDate ? templateDate(previous.startDate) : null,
  };
}
