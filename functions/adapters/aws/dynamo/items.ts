import { z } from 'zod';
import type { JsonValue } from '../../../core/model';
import type { DagRunRecord, DagStateRecord, TaskInstanceRecord } from '../../../core/records';
import { DagRunState, isRunFinished, RunType, TaskState } from '../../../core/states';
import {
  activeRunIndex,
  dagKey,
  dagListIndex,
  ItemType,
  logicalDateIndex,
  logicalDateKey,
  runKey,
} from './table';

/**
 * Item ↔ record mapping. Items carry the record's fields as top-level attributes (so conditions
 * can name them) plus keys and `type`; JSON-valued fields (`conf`) are stored as JSON strings,
 * because DynamoDB numbers cannot hold every JSON number and maps reject some keys.
 * Reads validate: a corrupt item is reported with its keys instead of flowing on as a bad record.
 * Unknown attributes are ignored, so a newer writer does not break an older reader mid-deploy.
 */

/** An item that does not decode to its record; names the item's keys and what is wrong. */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
  constructor(
    readonly pk: string,
    readonly sk: string,
    readonly issues: readonly string[],
  ) {
    super(`item ${pk} / ${sk} is corrupt: ${issues.join('; ')}`);
  }
}

/** An item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

const iso = z.string().min(1);
const jsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON text' });
    return z.NEVER;
  }
});
const conf = jsonText.pipe(
  z.record(
    z.string(),
    z.json().transform((v) => v as JsonValue),
  ),
);

const runSchema = z.object({
  dagId: z.string(),
  runId: z.string(),
  runType: z.enum(RunType),
  state: z.enum(DagRunState),
  logicalDate: iso,
  dataIntervalStart: iso,
  dataIntervalEnd: iso,
  runAfter: iso,
  conf,
  bundleVersion: z.string(),
  externalTrigger: z.boolean(),
  queuedAt: iso,
  startDate: iso.optional(),
  endDate: iso.optional(),
  note: z.string().optional(),
  reason: z.string().optional(),
});

const instanceSchema = z.object({
  dagId: z.string(),
  runId: z.string(),
  taskId: z.string(),
  mapIndex: z.number().int().min(-1),
  state: z.enum(TaskState),
  tryNumber: z.number().int().nonnegative(),
  queuedAt: iso.optional(),
  startDate: iso.optional(),
  endDate: iso.optional(),
  heartbeatAt: iso.optional(),
  nextRetryAt: iso.optional(),
  pokeCount: z.number().int().nonnegative().optional(),
  firstPokeAt: iso.nullable().optional(),
  externalJob: z.object({ tryNumber: z.number().int().nonnegative(), id: z.string() }).nullable().optional(),
  reason: z.string().optional(),
  followTaskIds: z.array(z.string()).optional(),
  shortCircuited: z.boolean().optional(),
  xcomLength: z.number().int().nonnegative().nullable().optional(),
  renderedFields: z.record(z.string(), z.string()).optional(),
  slaMissedAt: iso.optional(),
  memoryMiB: z.number().int().positive().optional(),
  environment: z
    .object({
      bundleVersion: z.string(),
      memoryMiB: z.number(),
      runtime: z.string(),
      name: z.string().optional(),
      hash: z.string().optional(),
      image: z.string().optional(),
      imageDigest: z.string().optional(),
      functionName: z.string().optional(),
      functionVersion: z.string().optional(),
      taskArn: z.string().optional(),
      peakMemoryMiB: z.number().optional(),
    })
    .optional(),
});

const dagStateSchema = z
  .object({
    dagId: z.string(),
    isPaused: z.boolean(),
    cursorStart: iso.optional(),
    cursorEnd: iso.optional(),
  })
  .transform(
    ({ dagId, isPaused, cursorStart, cursorEnd }): DagStateRecord => ({
      dagId,
      isPaused,
      ...(cursorStart !== undefined &&
        cursorEnd !== undefined && { lastAutomatedDataInterval: { start: cursorStart, end: cursorEnd } }),
    }),
  );

const markerSchema = z.object({ runId: z.string(), logicalDate: iso, createdAt: z.number() });

// Type-level equality: a field added to a record without its schema fails tsc here.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type _SchemasMatchRecords = [
  Assert<Equals<z.output<typeof runSchema>, DagRunRecord>>,
  Assert<Equals<z.output<typeof instanceSchema>, TaskInstanceRecord>>,
];

/** Validates `item` as a `type` item with `schema`, or throws CorruptItemError naming its keys. */
export function decode<S extends z.ZodType>(type: string, schema: S, item: Item): z.output<S> {
  const pk = String(item.PK);
  const sk = String(item.SK);
  if (item.type !== type)
    throw new CorruptItemError(pk, sk, [`type is ${String(item.type)}, expected ${type}`]);
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new CorruptItemError(
    pk,
    sk,
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`),
  );
}

/** Copies the defined fields of `patch`, serializing JSON-valued ones (undefined means "leave as is"). */
export function runAttributes(patch: Partial<DagRunRecord>): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[name] = name === 'conf' ? JSON.stringify(value) : value;
  }
  return out;
}

/** The item of a new run, with its index attributes. */
export function runToItem(run: DagRunRecord): Item {
  return {
    ...runKey(run.dagId, run.runId),
    type: ItemType.DagRun,
    ...runAttributes(run),
    ...(isRunFinished(run.state) ? {} : activeRunIndex(run.dagId, run.runId)),
    ...logicalDateIndex(run.dagId, run.logicalDate),
  };
}

/** The run an item holds. */
export function runFromItem(item: Item): DagRunRecord {
  return decode(ItemType.DagRun, runSchema, item);
}

/** The task instance an item holds. */
export function instanceFromItem(item: Item): TaskInstanceRecord {
  return decode(ItemType.TaskInstance, instanceSchema, item);
}

/** The item of a DAG's scheduler state. */
export function dagStateToItem(state: DagStateRecord): Item {
  const cursor = state.lastAutomatedDataInterval;
  return {
    ...dagKey(state.dagId),
    ...dagListIndex(state.dagId),
    type: ItemType.Dag,
    dagId: state.dagId,
    isPaused: state.isPaused,
    ...(cursor && { cursorStart: cursor.start, cursorEnd: cursor.end }),
  };
}

/** The DAG state an item holds. */
export function dagStateFromItem(item: Item): DagStateRecord {
  return decode(ItemType.Dag, dagStateSchema, item);
}

/** A logical-date marker: which run holds the date, and since when (epoch ms). */
export interface LogicalDateMarker {
  runId: string;
  logicalDate: string;
  createdAt: number;
}

/** The item of a logical-date marker. */
export function markerToItem(dagId: string, marker: LogicalDateMarker): Item {
  return { ...logicalDateKey(dagId, marker.logicalDate), type: ItemType.LogicalDate, dagId, ...marker };
}

/** The marker an item holds. */
export function markerFromItem(item: Item): LogicalDateMarker {
  return decode(ItemType.LogicalDate, markerSchema, item);
}

const KEY_FIELDS: ReadonlySet<string> = new Set(['dagId', 'runId', 'taskId', 'mapIndex']);

/** The defined non-key fields of a task-instance patch (undefined means "leave as is"). */
export function instanceAttributes(patch: Partial<TaskInstanceRecord>): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(patch)) {
    if (value !== undefined && !KEY_FIELDS.has(name)) out[name] = value;
  }
  return out;
}
