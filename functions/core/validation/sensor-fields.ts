import type { OperatorSpec, TaskSpec } from '../model';
import { DagRunState, TaskState } from '../states';
import {
  checkBucket,
  checkHttp,
  checkId,
  checkOutcomeStates,
  checkStatuses,
  type FieldProblem,
  quote,
  templated,
} from './operator-fields';

const RUN_STATES: readonly string[] = Object.values(DagRunState);
const TASK_STATES: readonly string[] = Object.values(TaskState);
/** Athena workgroup names: 1-128 letters, digits, ".", "_" or "-". */
const WORKGROUP_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** Problems in the fields of the built-in sensors and the Athena query (the TS `sensor()` has none here). */
export function checkSensorFields(task: TaskSpec): FieldProblem[] {
  const operator = task.operator;
  switch (operator.kind) {
    case 's3_key_sensor':
      return [...checkBucket('bucket', operator.bucket), ...checkKeys(operator), ...checkInterval(operator)];
    case 'http_sensor':
      return [...checkHttp(operator), ...checkPending(operator), ...checkInterval(operator)];
    case 'external_task_sensor':
      return [...checkExternal(operator), ...checkInterval(operator)];
    case 'athena_query':
      return [...checkAthena(operator), ...checkInterval(operator)];
    default:
      return [];
  }
}

function checkInterval(op: { sensor: { pokeIntervalSeconds: number } }): FieldProblem[] {
  if (op.sensor.pokeIntervalSeconds > 0) return [];
  return [
    {
      field: 'pokeIntervalSeconds',
      message: `must be > 0, got ${op.sensor.pokeIntervalSeconds}`,
      fix: 'give the seconds between pokes (default 60)',
    },
  ];
}

function checkKeys(op: Extract<OperatorSpec, { kind: 's3_key_sensor' }>): FieldProblem[] {
  if (op.keys.length === 0)
    return [{ field: 'key', message: 'is empty', fix: 'give a key, a list of keys, or a prefix' }];
  if (op.keys.some((key) => key === '' && op.match !== 'prefix'))
    return [{ field: 'key', message: 'contains an empty key', fix: 'name the object key (or use prefix)' }];
  return [];
}

function checkPending(op: Extract<OperatorSpec, { kind: 'http_sensor' }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  problems.push(...checkStatuses('pendingStatus', op.pendingStatus));
  const both = op.pendingStatus.filter((status) => op.expectedStatus?.includes(status));
  if (both.length > 0)
    problems.push({
      field: 'pendingStatus',
      message: `${quote(both)} also in expectedStatus`,
      fix: 'a status either meets the condition or means "not yet", not both',
    });
  return problems;
}

function checkExternal(op: Extract<OperatorSpec, { kind: 'external_task_sensor' }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  problems.push(...checkId('externalDagId', op.externalDagId, 'DAG'));
  problems.push(...checkId('externalTaskId', op.externalTaskId, 'task'));
  // Without a task id the run's own state is compared, so the states are run states.
  const [known, kind] = op.externalTaskId === undefined ? [RUN_STATES, 'DAG run'] : [TASK_STATES, 'task'];
  problems.push(...checkOutcomeStates(op, known, kind));
  // After the unknown states (same order as ever); an empty list cannot overlap failedStates.
  if (op.allowedStates.length === 0)
    problems.push({ field: 'allowedStates', message: 'is empty, so the sensor could never succeed' });
  if (!Number.isFinite(op.executionDeltaSeconds))
    problems.push({ field: 'executionDelta', message: `not a duration: ${op.executionDeltaSeconds}` });
  return problems;
}

function checkAthena(op: Extract<OperatorSpec, { kind: 'athena_query' }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (op.query.trim() === '')
    problems.push({ field: 'query', message: 'is empty', fix: 'give the SQL to run' });
  if (op.database === '')
    problems.push({ field: 'database', message: 'is empty', fix: 'name the Glue database the query reads' });
  if (op.workgroup !== undefined && !templated(op.workgroup) && !WORKGROUP_PATTERN.test(op.workgroup))
    problems.push({
      field: 'workgroup',
      message: `invalid workgroup name ${quote(op.workgroup)}`,
      fix: 'use 1-128 letters, digits, ".", "_" or "-"',
    });
  if (
    op.outputLocation !== undefined &&
    !templated(op.outputLocation) &&
    !/^s3:\/\/[^/]+/.test(op.outputLocation)
  )
    problems.push({
      field: 'outputLocation',
      message: `${quote(op.outputLocation)} is not an s3:// location`,
      fix: "use s3://bucket/prefix/, or leave it out to use the workgroup's result location",
    });
  return problems;
}
