import { z } from 'zod';
import {
  type DagSpec,
  type InputSpec,
  type JsonValue,
  MANIFEST_SCHEMA_VERSION,
  type Manifest,
  type OperatorSpec,
  type ParamSpec,
  type ScheduleSpec,
  type TaskSpec,
} from '../../core/model';
import { DagRunState } from '../../core/states';
import { TriggerRule } from '../../core/trigger-rule';

/**
 * The wire format of `manifest.json`. Objects are strict: a key this reader does not know means the
 * manifest was written by another schema, and guessing would run DAGs with the wrong semantics.
 * Maps (params, env, headers, JSON values) come out with sorted keys so equal manifests serialize
 * to equal bytes, whatever order the SDK inserted keys in.
 */

/** A manifest that does not match the schema; the message names the source and the bad paths. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    message: string,
    readonly source: string,
    readonly issues: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function canonicalJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(sortKeys(value))) out[key] = canonicalJson(item);
    return out;
  }
  return value;
}

const json = z.json().transform((value): JsonValue => canonicalJson(value));
const map = <T extends z.ZodType>(item: T) => z.record(z.string(), item).transform(sortKeys);
const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
const paramType = z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

// Annotated because it is recursive; `paramSpecShape` below still gets the exact equality check.
const paramSpec: z.ZodType<ParamSpec> = z.lazy(() => paramSpecShape);
const paramSpecShape = z.strictObject({
  default: json.optional(),
  description: z.string().optional(),
  type: z.union([paramType, z.array(paramType)]).optional(),
  enum: z.array(json).optional(),
  const: json.optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  exclusiveMinimum: z.number().optional(),
  exclusiveMaximum: z.number().optional(),
  minLength: count.optional(),
  maxLength: count.optional(),
  pattern: z.string().optional(),
  format: z.enum(['date', 'date-time', 'email', 'uri']).optional(),
  minItems: count.optional(),
  maxItems: count.optional(),
  get items() {
    return paramSpec.optional();
  },
  get properties() {
    return map(paramSpec).optional();
  },
  required: z.array(z.string()).optional(),
  additionalProperties: z.boolean().optional(),
});

const inputSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('literal'), value: json }),
  z.strictObject({ kind: z.literal('xcom'), taskId: z.string(), key: z.string() }),
]);

const runState = z.enum(DagRunState);
const objectLocation = z.strictObject({ bucket: z.string(), key: z.string() });

const sensorSpec = z.strictObject({
  mode: z.enum(['poke', 'reschedule']),
  pokeIntervalSeconds: seconds,
  timeoutSeconds: seconds,
  exponentialBackoff: z.boolean(),
  maxWaitSeconds: seconds.optional(),
  softFail: z.boolean(),
});

const environmentSpec = z.union([
  z.strictObject({
    kind: z.literal('python'),
    name: z.string().min(1),
    python: z.string(),
    requirements: z.string(),
    hash: z.string(),
  }),
  z.strictObject({
    kind: z.literal('image'),
    name: z.string().min(1),
    directory: z.string(),
    hash: z.string(),
  }),
  z.strictObject({ kind: z.literal('image'), name: z.string().min(1), uri: z.string(), hash: z.string() }),
]);

/** The request fields the http operator and the http sensor share. */
const httpRequest = {
  method: z.string(),
  url: z.string(),
  httpConnId: z.string().optional(),
  headers: map(z.string()),
  body: z.string().optional(),
  expectedStatus: z.array(z.number().int()).optional(),
};

const operatorSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('function') }),
  z.strictObject({ kind: z.literal('branch') }),
  z.strictObject({ kind: z.literal('short_circuit'), ignoreDownstreamTriggerRules: z.boolean() }),
  z.strictObject({ kind: z.literal('sensor'), sensor: sensorSpec }),
  z.strictObject({ kind: z.literal('empty') }),
  z.strictObject({
    kind: z.literal('bash'),
    command: z.string(),
    env: map(z.string()),
    cwd: z.string().optional(),
    skipOnExitCode: z.array(z.number().int()),
  }),
  z.strictObject({
    kind: z.literal('container'),
    environment: z.string().min(1),
    command: z.array(z.string()),
    args: z.array(z.string()),
    env: map(z.string()),
    cpu: z.number().positive(),
    local: z.array(z.string()).optional(),
    script: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('lambda_invoke'),
    functionName: z.string(),
    payload: json,
    invocationType: z.enum(['RequestResponse', 'Event']),
  }),
  z.strictObject({
    kind: z.literal('http'),
    ...httpRequest,
    responseToXcom: z.boolean(),
    logResponse: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('trigger_dag_run'),
    triggerDagId: z.string(),
    triggerRunId: z.string().optional(),
    logicalDate: z.string().optional(),
    conf: map(json),
    waitForCompletion: z.boolean(),
    pokeIntervalSeconds: seconds,
    allowedStates: z.array(runState),
    failedStates: z.array(runState),
  }),
  z.strictObject({ kind: z.literal('s3_copy'), source: objectLocation, dest: objectLocation }),
  z.strictObject({
    kind: z.literal('s3_delete'),
    bucket: z.string(),
    keys: z.array(z.string()).optional(),
    prefix: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('s3_list'), bucket: z.string(), prefix: z.string() }),
  z.strictObject({
    kind: z.literal('s3_put'),
    bucket: z.string(),
    key: z.string(),
    body: z.string().optional(),
    fromXcom: z.strictObject({ taskId: z.string(), key: z.string() }).optional(),
  }),
  z.strictObject({
    kind: z.literal('s3_key_sensor'),
    bucket: z.string(),
    keys: z.array(z.string()),
    match: z.enum(['exact', 'wildcard', 'prefix']),
    sensor: sensorSpec,
  }),
  z.strictObject({
    kind: z.literal('http_sensor'),
    ...httpRequest,
    pendingStatus: z.array(z.number().int()),
    responseContains: z.string().optional(),
    sensor: sensorSpec,
  }),
  z.strictObject({
    kind: z.literal('external_task_sensor'),
    externalDagId: z.string(),
    externalTaskId: z.string().optional(),
    allowedStates: z.array(z.string()),
    failedStates: z.array(z.string()),
    executionDeltaSeconds: z.number(),
    sensor: sensorSpec,
  }),
  z.strictObject({
    kind: z.literal('athena_query'),
    query: z.string(),
    database: z.string(),
    catalog: z.string().optional(),
    workgroup: z.string().optional(),
    outputLocation: z.string().optional(),
    sensor: sensorSpec,
  }),
]);

const notifierSpec = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sns'),
    topicArn: z.string(),
    subject: z.string().optional(),
    message: z.string(),
  }),
  z.strictObject({
    kind: z.literal('webhook'),
    url: z.string(),
    method: z.enum(['POST', 'PUT']),
    headers: map(z.string()),
    body: z.string(),
  }),
]);
const notifiers = z.array(notifierSpec);

const taskSpec = z.strictObject({
  taskId: z.string().min(1),
  group: z.string().optional(),
  operator: operatorSpec,
  upstream: z.array(z.string()),
  inputs: z.array(inputSpec),
  mapped: z.strictObject({ over: inputSpec }).optional(),
  triggerRule: z.enum(TriggerRule),
  retries: count,
  retryDelaySeconds: seconds,
  retryExponentialBackoff: z.boolean(),
  maxRetryDelaySeconds: seconds.optional(),
  executionTimeoutSeconds: seconds.optional(),
  dependsOnPast: z.boolean(),
  pool: z.string(),
  poolSlots: count,
  priorityWeight: z.number().int(),
  executor: z.enum(['lambda', 'ecs']),
  memoryMiB: z.number().int().positive(),
  onOutOfMemory: z.strictObject({ maxMemoryMiB: z.number().int().positive() }).optional(),
  owner: z.string(),
  doc: z.string().optional(),
  callbacks: z.strictObject({ onSuccess: notifiers, onFailure: notifiers, onRetry: notifiers }).optional(),
  slaSeconds: seconds.optional(),
});

const scheduleSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('once') }),
  z.strictObject({ kind: z.literal('cron'), expression: z.string() }),
  z.strictObject({ kind: z.literal('cron_trigger'), expression: z.string() }),
  z.strictObject({ kind: z.literal('delta'), duration: z.string() }),
]);

const dagSpec = z.strictObject({
  dagId: z.string().min(1),
  description: z.string().optional(),
  doc: z.string().optional(),
  owner: z.string(),
  tags: z.array(z.string()),
  schedule: scheduleSpec,
  timezone: z.string(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  catchup: z.boolean(),
  maxActiveRuns: count,
  maxActiveTasks: count,
  dagrunTimeoutSeconds: seconds.optional(),
  isPausedUponCreation: z.boolean(),
  params: map(paramSpec),
  callbacks: z.strictObject({ onSuccess: notifiers, onFailure: notifiers, onSlaMiss: notifiers }).optional(),
  tasks: z.array(taskSpec),
  environments: z.array(environmentSpec).optional(),
  fileloc: z.string(),
  module: z.string(),
});

/** Zod schema of `Manifest`; the assertions below keep it equal to the TS types in core/model. */
export const manifestSchema = z.strictObject({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  version: z.string().min(1),
  dags: z.array(dagSpec),
});

// Type-level equality: a field added to (or removed from) core/model without the schema fails tsc here.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type _SchemaMatchesModel = [
  Assert<Equals<z.output<typeof json>, JsonValue>>,
  Assert<Equals<z.output<typeof paramSpecShape>, ParamSpec>>,
  Assert<Equals<z.output<typeof inputSpec>, InputSpec>>,
  Assert<Equals<z.output<typeof operatorSpec>, OperatorSpec>>,
  Assert<Equals<z.output<typeof taskSpec>, TaskSpec>>,
  Assert<Equals<z.output<typeof scheduleSpec>, ScheduleSpec>>,
  Assert<Equals<z.output<typeof dagSpec>, DagSpec>>,
  Assert<Equals<z.output<typeof manifestSchema>, Manifest>>,
];

const MAX_LISTED_ISSUES = 3;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(root)';
}

/** Validates untrusted JSON (from S3 or disk) as a Manifest; throws ManifestError naming `source`. */
export function parseManifest(json: unknown, source: string): Manifest {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (json !== null && typeof json === 'object' && version !== MANIFEST_SCHEMA_VERSION) {
    const issue = `schemaVersion: expected ${MANIFEST_SCHEMA_VERSION}, got ${JSON.stringify(version)}`;
    throw new ManifestError(
      `invalid manifest ${source}: ${issue} (rebuild the bundle with this version of updraft)`,
      source,
      [issue],
    );
  }
  const result = manifestSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : '';
  throw new ManifestError(
    `invalid manifest ${source}: ${issues.slice(0, MAX_LISTED_ISSUES).join('; ')}${more}`,
    source,
    issues,
    { cause: result.error },
  );
}

/** Canonical `manifest.json` text: schema key order, sorted map keys, 2-space indent, trailing newline. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(parseManifest(manifest, 'manifest to serialize'), null, 2)}\n`;
}
