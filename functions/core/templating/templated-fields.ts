import { assertNever } from '../assert-never';
import type { JsonValue, OperatorSpec } from '../model';

/** Renders one templated string; `path` names the field (`command`, `env.TOKEN`, `payload.s3.key`). */
export type RenderField = (path: string, template: string) => string;

const renderRecord = (prefix: string, record: Record<string, string>, render: RenderField) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, render(`${prefix}.${k}`, v)]));

const renderList = (prefix: string, list: readonly string[], render: RenderField) =>
  list.map((v, i) => render(`${prefix}[${i}]`, v));

/** Every string inside a JSON value, rendered (Airflow renders nested dicts and lists the same way). */
function renderJson(path: string, value: JsonValue, render: RenderField): JsonValue {
  if (typeof value === 'string') return render(path, value);
  if (Array.isArray(value)) return value.map((v, i) => renderJson(`${path}[${i}]`, v, render));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderJson(`${path}.${k}`, v, render)]),
    );
  return value;
}

/**
 * The operator with its templated fields (Airflow's `template_fields`) rendered. Function-like
 * operators have none: their inputs are data, not templates.
 */
export function renderOperator(operator: OperatorSpec, render: RenderField): OperatorSpec {
  switch (operator.kind) {
    case 'function':
    case 'branch':
    case 'short_circuit':
    case 'sensor':
    case 'empty':
      return operator;
    case 'bash':
      return {
        ...operator,
        command: render('command', operator.command),
        env: renderRecord('env', operator.env, render),
        ...(operator.cwd !== undefined && { cwd: render('cwd', operator.cwd) }),
      };
    case 'container':
      return {
        ...operator,
        command: renderList('command', operator.command, render),
        args: renderList('args', operator.args, render),
        env: renderRecord('env', operator.env, render),
      };
    case 'lambda_invoke':
      return {
        ...operator,
        functionName: render('functionName', operator.functionName),
        payload: renderJson('payload', operator.payload, render),
      };
    case 'http':
      return {
        ...operator,
        url: render('url', operator.url),
        headers: renderRecord('headers', operator.headers, render),
        ...(operator.body !== undefined && { body: render('body', operator.body) }),
      };
    case 'trigger_dag_run':
      return {
        ...operator,
        triggerDagId: render('triggerDagId', operator.triggerDagId),
        ...(operator.triggerRunId !== undefined && {
          triggerRunId: render('triggerRunId', operator.triggerRunId),
        }),
        ...(operator.logicalDate !== undefined && {
          logicalDate: render('logicalDate', operator.logicalDate),
        }),
        conf: renderJson('conf', operator.conf, render) as Record<string, JsonValue>,
      };
    case 's3_copy':
      return {
        ...operator,
        source: {
          bucket: render('source.bucket', operator.source.bucket),
          key: render('source.key', operator.source.key),
        },
        dest: {
          bucket: render('dest.bucket', operator.dest.bucket),
          key: render('dest.key', operator.dest.key),
        },
      };
    case 's3_delete':
      return {
        ...operator,
        bucket: render('bucket', operator.bucket),
        ...(operator.keys && { keys: renderList('keys', operator.keys, render) }),
        ...(operator.prefix !== undefined && { prefix: render('prefix', operator.prefix) }),
      };
    case 's3_list':
      return {
        ...operator,
        bucket: render('bucket', operator.bucket),
        prefix: render('prefix', operator.prefix),
      };
    case 's3_put':
      return {
        ...operator,
        bucket: render('bucket', operator.bucket),
        key: render('key', operator.key),
        ...(operator.body !== undefined && { body: render('body', operator.body) }),
      };
    case 's3_key_sensor':
      return {
        ...operator,
        bucket: render('bucket', operator.bucket),
        keys: renderList('keys', operator.keys, render),
      };
    case 'http_sensor':
      return {
        ...operator,
        url: render('url', operator.url),
        headers: renderRecord('headers', operator.headers, render),
        ...(operator.body !== undefined && { body: render('body', operator.body) }),
        ...(operator.responseContains !== undefined && {
          responseContains: render('responseContains', operator.responseContains),
        }),
      };
    case 'external_task_sensor':
      return {
        ...operator,
        externalDagId: render('externalDagId', operator.externalDagId),
        ...(operator.externalTaskId !== undefined && {
          externalTaskId: render('externalTaskId', operator.externalTaskId),
        }),
      };
    case 'athena_query':
      // Airflow's AthenaOperator templates query, database, catalog, workgroup and output_location.
      return {
        ...operator,
        query: render('query', operator.query),
        database: render('database', operator.database),
        ...(operator.catalog !== undefined && { catalog: render('catalog', operator.catalog) }),
        ...(operator.workgroup !== undefined && { workgroup: render('workgroup', operator.workgroup) }),
        ...(operator.outputLocation !== undefined && {
          outputLocation: render('outputLocation', operator.outputLocation),
        }),
      };
    default:
      return assertNever(operator, 'operator');
  }
}

/** The rendered values by field path, for the "Rendered Template" view; empty when nothing is templated. */
export function renderedFieldsOf(operator: OperatorSpec): Record<string, string> {
  const fields: Record<string, string> = {};
  renderOperator(operator, (path, template) => {
    fields[path] = template;
    return template;
  });
  return fields;
}
