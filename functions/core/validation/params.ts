import type { JsonValue, ParamSpec, ParamType } from '../model';

/**
 * Validates DAG params (Airflow's `Param`) against the documented JSON Schema subset of ParamSpec.
 * A hand-written subset because core may not import a schema library; each keyword below is tested.
 */
export function checkParamValue(spec: ParamSpec, value: unknown, path: string): string[] {
  const problems: string[] = [];
  const say = (text: string) => problems.push(`${path} ${text}, got ${preview(value)}`);
  if (spec.type !== undefined) {
    const types = Array.isArray(spec.type) ? spec.type : [spec.type];
    if (!types.some((t) => hasType(value, t))) {
      say(`must be of type ${types.join(' or ')}`);
      return problems;
    }
  }
  if (spec.enum !== undefined && !spec.enum.some((option) => deepEqual(option, value))) {
    say(`must be one of ${spec.enum.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  if (spec.const !== undefined && !deepEqual(spec.const, value))
    say(`must equal ${JSON.stringify(spec.const)}`);
  if (typeof value === 'number') checkNumber(spec, value, say);
  if (typeof value === 'string') checkString(spec, value, say);
  if (Array.isArray(value)) {
    if (spec.minItems !== undefined && value.length < spec.minItems)
      say(`must have at least ${spec.minItems} items`);
    if (spec.maxItems !== undefined && value.length > spec.maxItems)
      say(`must have at most ${spec.maxItems} items`);
    if (spec.items)
      for (const [i, v] of value.entries()) problems.push(...checkParamValue(spec.items, v, `${path}[${i}]`));
  } else if (isObject(value)) {
    for (const key of spec.required ?? []) if (!Object.hasOwn(value, key)) say(`must have property "${key}"`);
    for (const [key, v] of Object.entries(value)) {
      const child = spec.properties?.[key];
      if (child) problems.push(...checkParamValue(child, v, `${path}.${key}`));
      else if (spec.additionalProperties === false) say(`must not have property "${key}"`);
    }
  }
  return problems;
}

function checkNumber(spec: ParamSpec, value: number, say: (text: string) => void): void {
  if (spec.minimum !== undefined && value < spec.minimum) say(`must be >= ${spec.minimum}`);
  if (spec.maximum !== undefined && value > spec.maximum) say(`must be <= ${spec.maximum}`);
  if (spec.exclusiveMinimum !== undefined && value <= spec.exclusiveMinimum)
    say(`must be > ${spec.exclusiveMinimum}`);
  if (spec.exclusiveMaximum !== undefined && value >= spec.exclusiveMaximum)
    say(`must be < ${spec.exclusiveMaximum}`);
}

const FORMATS: Record<NonNullable<ParamSpec['format']>, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/,
};

function checkString(spec: ParamSpec, value: string, say: (text: string) => void): void {
  if (spec.minLength !== undefined && value.length < spec.minLength)
    say(`must be at least ${spec.minLength} characters`);
  if (spec.maxLength !== undefined && value.length > spec.maxLength)
    say(`must be at most ${spec.maxLength} characters`);
  if (spec.pattern !== undefined && !new RegExp(spec.pattern, 'u').test(value))
    say(`must match /${spec.pattern}/`);
  if (spec.format !== undefined && !matchesFormat(spec.format, value)) say(`must be a ${spec.format}`);
}

function matchesFormat(format: NonNullable<ParamSpec['format']>, value: string): boolean {
  if (!FORMATS[format].test(value)) return false;
  if (format === 'date') return isCalendarDate(value);
  if (format === 'date-time') return isCalendarDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value));
  return true;
}

/** True when `YYYY-MM-DD` is a real calendar day: Date.parse rolls `2024-02-30` over into March. */
function isCalendarDate(ymd: string): boolean {
  const ms = Date.parse(`${ymd}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(ymd);
}

/** Problems with a param spec itself: unparsable pattern, or a default that breaks its own schema. */
export function checkParamSpec(name: string, spec: ParamSpec): string[] {
  const patterns = invalidPatterns(spec, `params.${name}`);
  if (patterns.length > 0) return patterns;
  return spec.default === undefined ? [] : checkParamValue(spec, spec.default, `params.${name}.default`);
}

/** Unparsable patterns, nested ones included: checkParamValue would throw on them instead of reporting. */
function invalidPatterns(spec: ParamSpec, path: string): string[] {
  const problems: string[] = [];
  if (spec.pattern !== undefined) {
    try {
      new RegExp(spec.pattern, 'u');
    } catch (error) {
      problems.push(`${path}.pattern is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (spec.items) problems.push(...invalidPatterns(spec.items, `${path}.items`));
  for (const [key, child] of Object.entries(spec.properties ?? {})) {
    problems.push(...invalidPatterns(child, `${path}.properties.${key}`));
  }
  return problems;
}

/**
 * Params for a run: defaults overlaid with `conf` (Airflow's `dag_run.conf` overrides params),
 * every param then checked against its schema. A param with no default and no conf value is null,
 * which fails unless its schema allows null, like Airflow's required params.
 */
export function resolveParams(
  specs: Record<string, ParamSpec>,
  conf: Record<string, JsonValue>,
): { ok: true; params: Record<string, JsonValue> } | { ok: false; problems: string[] } {
  const params: Record<string, JsonValue> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    // Own keys only: a param named `toString` must not read Object.prototype.
    const value = Object.hasOwn(conf, name) ? conf[name]! : (spec.default ?? null);
    params[name] = value;
    problems.push(...checkParamValue(spec, value, `params.${name}`));
  }
  for (const [key, value] of Object.entries(conf)) if (!Object.hasOwn(specs, key)) params[key] = value;
  return problems.length > 0 ? { ok: false, problems } : { ok: true, params };
}

function hasType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON equality regardless of key order: manifests store object keys sorted, conf keeps the caller's order. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return a === b;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
