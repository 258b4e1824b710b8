import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { TaskInstanceKey } from '../../../core/records';

/**
 * The run-state table's key schema as data (design §5). One table holds DAGs, runs, logical-date
 * markers, task instances and XComs; every key is a string built here and nowhere else.
 *
 * | item              | PK                     | SK                                   |
 * | ----------------- | ---------------------- | ------------------------------------ |
 * | DAG state         | `DAG#<dagId>`          | `META`                               |
 * | DAG run           | `DAG#<dagId>`          | `RUN#<runId>`                        |
 * | logical-date mark | `DAG#<dagId>`          | `LD#<logicalDate>`                   |
 * | task instance     | `RUN#<dagId>#<runId>`  | `TI#<taskId>#<mapIndex>`             |
 * | XCom              | `RUN#<dagId>#<runId>`  | `XCOM#<taskId>#<mapIndex>#<xcomKey>` |
 * | pool              | `POOLS`                | `POOL#<name>`                        |
 *
 * | index | PK            | SK            | items                   |
 * | ----- | ------------- | ------------- | ----------------------- |
 * | GSI1  | `ACTIVE`      | `<dag>#<run>` | queued and running runs |
 * | GSI2  | `DAG#<dagId>` | logical date  | every run               |
 * | GSI3  | `DAGS`        | `<dagId>`     | every DAG state item    |
 *
 * DAG and task ids cannot contain `#` (they match `[A-Za-z0-9_.-]`), so a run id or XCom key,
 * always the last part of a key, may contain anything without making two keys collide.
 */

/** Attribute names of the table and index keys. */
export const Attr = {
  PK: 'PK',
  SK: 'SK',
  GSI1PK: 'GSI1PK',
  GSI1SK: 'GSI1SK',
  GSI2PK: 'GSI2PK',
  GSI2SK: 'GSI2SK',
  GSI3PK: 'GSI3PK',
  GSI3SK: 'GSI3SK',
} as const;

/** Sparse index of active (queued or running) runs: only those items carry `GSI1PK`. */
export const ACTIVE_RUNS_INDEX = 'GSI1';
/** Runs of a DAG ordered by logical date (depends_on_past's "previous run"). */
export const RUNS_BY_LOGICAL_DATE_INDEX = 'GSI2';
/** `GSI1PK` of every active run; finished runs have the attribute removed. */
export const ACTIVE_PARTITION = 'ACTIVE';
/**
 * Sparse index of DAG state items, one partition ordered by DAG id: listing every DAG is one
 * Query instead of a Scan. It holds one small item per DAG, so a single partition is enough.
 */
export const DAGS_INDEX = 'GSI3';
/** `GSI3PK` of every DAG state item. */
export const DAGS_PARTITION = 'DAGS';

/** The item kinds, stored in `type` so a reader can tell what it holds. */
export const ItemType = {
  Dag: 'Dag',
  DagRun: 'DagRun',
  LogicalDate: 'LogicalDate',
  TaskInstance: 'TaskInstance',
  XCom: 'XCom',
  Pool: 'Pool',
} as const;

/** A table key (a type alias, not an interface, so it fits the SDK's `Record<string, …>` keys). */
export type ItemKey = { PK: string; SK: string };

/** The CreateTable request for the run-state table (tests and local mode; CDK mirrors it). */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const projectAll = { ProjectionType: 'ALL' } as const;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: Object.values(Attr).map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: Attr.PK, KeyType: 'HASH' },
      { AttributeName: Attr.SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ACTIVE_RUNS_INDEX,
        KeySchema: [
          { AttributeName: Attr.GSI1PK, KeyType: 'HASH' },
          { AttributeName: Attr.GSI1SK, KeyType: 'RANGE' },
        ],
        Projection: projectAll,
      },
      {
        IndexName: RUNS_BY_LOGICAL_DATE_INDEX,
        KeySchema: [
          { AttributeName: Attr.GSI2PK, KeyType: 'HASH' },
          { AttributeName: Attr.GSI2SK, KeyType: 'RANGE' },
        ],
        Projection: projectAll,
      },
      {
        IndexName: DAGS_INDEX,
        KeySchema: [
          { AttributeName: Attr.GSI3PK, KeyType: 'HASH' },
          { AttributeName: Attr.GSI3SK, KeyType: 'RANGE' },
        ],
        Projection: projectAll,
      },
    ],
  };
}

const UNSAFE_ID = /#/;

/** Returns a DAG or task id that is safe in a key, or throws a RangeError naming it. */
export function checkId(kind: string, value: string): string {
  if (value.length === 0 || UNSAFE_ID.test(value)) {
    throw new RangeError(
      `${kind} ${JSON.stringify(value)} cannot be stored: it must be non-empty without "#"`,
    );
  }
  return value;
}

function checkRunId(runId: string): string {
  if (runId.length === 0) throw new RangeError('an empty run id cannot be stored');
  return runId;
}

/**
 * Map indexes sort numerically: `-1` (not mapped) stays as is and sorts before the zero-padded
 * indexes (`-` < `0`), which have ten digits.
 */
export function mapIndexPart(mapIndex: number): string {
  if (!Number.isInteger(mapIndex) || mapIndex < -1) {
    throw new RangeError(`map index ${mapIndex} cannot be stored: it must be an integer ≥ -1`);
  }
  return mapIndex === -1 ? '-1' : String(mapIndex).padStart(10, '0');
}

/** `DAG#<dagId>`: the partition of a DAG's state, runs and logical-date markers. */
export function dagPartition(dagId: string): string {
  return `DAG#${checkId('DAG id', dagId)}`;
}

/** `RUN#<dagId>#<runId>`: the partition of a run's task instances and XComs. */
export function runPartition(dagId: string, runId: string): string {
  return `RUN#${checkId('DAG id', dagId)}#${checkRunId(runId)}`;
}

/** Key of a DAG's scheduler state. */
export function dagKey(dagId: string): ItemKey {
  return { PK: dagPartition(dagId), SK: 'META' };
}

/** Key of a DAG run. */
export function runKey(dagId: string, runId: string): ItemKey {
  return { PK: dagPartition(dagId), SK: `RUN#${checkRunId(runId)}` };
}

/** Key of the marker that reserves a logical date for one run of a DAG. */
export function logicalDateKey(dagId: string, logicalDate: string): ItemKey {
  return { PK: dagPartition(dagId), SK: `LD#${logicalDate}` };
}

/** Sort-key prefix of every task instance of a run. */
export const TASK_INSTANCE_PREFIX = 'TI#';

/** Key of a task instance. */
export function taskInstanceKey(key: TaskInstanceKey): ItemKey {
  const task = checkId('task id', key.taskId);
  return {
    PK: runPartition(key.dagId, key.runId),
    SK: `${TASK_INSTANCE_PREFIX}${task}#${mapIndexPart(key.mapIndex)}`,
  };
}

/** Key of an XCom value. */
export function xcomKey(key: TaskInstanceKey, xcomKeyName: string): ItemKey {
  const task = checkId('task id', key.taskId);
  return {
    PK: runPartition(key.dagId, key.runId),
    SK: `XCOM#${task}#${mapIndexPart(key.mapIndex)}#${xcomKeyName}`,
  };
}

/**
 * Every pool lives in one partition of the base table, so listing them is one strongly
 * consistent Query (the tick decides with it; a GSI could show a shrunk pool at its old size).
 * Pools are few and small, and written only by people, so one partition is never hot.
 */
export const POOLS_PARTITION = 'POOLS';

/** Key of a pool; the name is the key's last part, so it may contain `#`. */
export function poolKey(name: string): ItemKey {
  if (name.length === 0) throw new RangeError('an empty pool name cannot be stored');
  return { PK: POOLS_PARTITION, SK: `POOL#${name}` };
}

/** Index attributes of a run that is queued or running (removed when it finishes). */
export function activeRunIndex(dagId: string, runId: string): Record<string, string> {
  return { [Attr.GSI1PK]: ACTIVE_PARTITION, [Attr.GSI1SK]: `${dagId}#${runId}` };
}

/** Index attributes that order a DAG's runs by logical date. */
export function logicalDateIndex(dagId: string, logicalDate: string): Record<string, string> {
  return { [Attr.GSI2PK]: dagPartition(dagId), [Attr.GSI2SK]: logicalDate };
}

/** Index attributes that list a DAG state item in GSI3. */
export function dagListIndex(dagId: string): Record<string, string> {
  return { [Attr.GSI3PK]: DAGS_PARTITION, [Attr.GSI3SK]: checkId('DAG id', dagId) };
}
