import type { OperatorSpec, TaskSpec } from '../model';
import { DagRunState } from '../states';
import type { Problem } from './problem';

/** A problem of one task field; validate-dag adds the file, DAG and task. */
export type FieldProblem = Omit<Problem, 'file' | 'dagId' | 'taskId'>;

/** Airflow's KEY_REGEX for DAG and task ids (dots separate task-group prefixes). */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,250}$/;
/** How to fix an id that does not match ID_PATTERN. */
export const ID_FIX = 'use 1-250 letters, digits, "_", "-" or "."';

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** S3's bucket naming rules (general purpose buckets), without the IP-address and prefix exceptions. */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RUN_STATES: readonly string[] = Object.values(DagRunState);

/** Templated values (`{{ ds }}`) are only known at run time; their shape is checked then. */
export const templated = (value: string) => value.includes('{{');
/** A value as it appears in messages. */
export const quote = (value: unknown) => JSON.stringify(value);

/** An id field (DAG, task, connection): templates are left to run time. */
export function checkId(field: string, value: string | undefined, what: string): FieldProblem[] {
  if (value === undefined || templated(value) || ID_PATTERN.test(value)) return [];
  return [{ field, message: `invalid ${what} id ${quote(value)}`, fix: ID_FIX }];
}

/** A list of HTTP statuses: each 100-599. */
export function checkStatuses(field: string, statuses: readonly number[] | undefined): FieldProblem[] {
  return (statuses ?? [])
    .filter((status) => !Number.isInteger(status) || status < 100 || status > 599)
    .map((status) => ({ field, message: `${status} is not an HTTP status (100-599)` }));
}

/** Problems in the fields of a declarative operator (http, trigger_dag_run, S3). */
export function checkOperatorFields(task: TaskSpec): FieldProblem[] {
  const operator = task.operator;
  switch (operator.kind) {
    case 'http':
      return checkHttp(operator);
    case 'trigger_dag_run':
      return checkTrigger(operator);
    case 's3_copy':
      return [
        ...checkObject('source', operator.source.bucket, operator.source.key),
        ...checkObject('dest', operator.dest.bucket, operator.dest.key),
      ];
    case 's3_delete':
      return checkDelete(operator);
    case 's3_list':
      return checkBucket('bucket', operator.bucket);
    case 's3_put':
      return checkPut(task, operator);
    default:
      return [];
  }
}

/** Problems of the request fields shared by the http operator and sensor. */
export function checkHttp(
  op: Pick<Extract<OperatorSpec, { kind: 'http' }>, 'method' | 'url' | 'httpConnId' | 'expectedStatus'>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!HTTP_METHODS.includes(op.method.toUpperCase()))
    problems.push({
      field: 'method',
      message: `unknown HTTP method ${quote(op.method)}`,
      fix: `use one of ${HTTP_METHODS.join(', ')}`,
    });
  if (op.url === '' && op.httpConnId === undefined)
    problems.push({
      field: 'url',
      message: 'is empty',
      fix: 'give an absolute http(s) URL or an httpConnId',
    });
  else if (op.httpConnId === undefined && !templated(op.url) && !/^https?:\/\//i.test(op.url))
    problems.push({
      field: 'url',
      message: `${quote(op.url)} is not an absolute http(s) URL`,
      fix: 'start it with http:// or https://, or set httpConnId to resolve it against a connection',
    });
  problems.push(...checkId('httpConnId', op.httpConnId, 'connection'));
  problems.push(...checkStatuses('expectedStatus', op.expectedStatus));
  if (op.expectedStatus?.length === 0)
    problems.push({
      field: 'expectedStatus',
      message: 'is empty, so every response would fail',
      fix: 'list the statuses that succeed, or leave it out to accept any 2xx',
    });
  return problems;
}

function checkTrigger(op: Extract<OperatorSpec, { kind: 'trigger_dag_run' }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  problems.push(...checkId('triggerDagId', op.triggerDagId, 'DAG'));
  if (op.logicalDate !== undefined && !templated(op.logicalDate) && Number.isNaN(Date.parse(op.logicalDate)))
    problems.push({
      field: 'logicalDate',
      message: `not a date: ${quote(op.logicalDate)}`,
      fix: 'use an ISO-8601 instant like 2024-01-01T00:00:00Z',
    });
  if (op.triggerRunId === '')
    problems.push({ field: 'triggerRunId', message: 'is empty', fix: 'leave it out to generate one' });
  if (!(op.pokeIntervalSeconds > 0))
    problems.push({ field: 'pokeIntervalSeconds', message: `must be > 0, got ${op.pokeIntervalSeconds}` });
  problems.push(...checkOutcomeStates(op, RUN_STATES, 'DAG run'));
  return problems;
}

/**
 * `allowedStates`/`failedStates` of a task that waits on another run or task: every state is
 * one of `known` (named `kind` in the message), and no state both succeeds and fails the task.
 */
export function checkOutcomeStates(
  op: { allowedStates: readonly string[]; failedStates: readonly string[] },
  known: readonly string[],
  kind: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of ['allowedStates', 'failedStates'] as const)
    for (const state of op[field])
      if (!known.includes(state))
        problems.push({
          field,
          message: `unknown ${kind} state ${quote(state)}`,
          fix: `use ${known.join(', ')}`,
        });
  const both = op.allowedStates.filter((state) => op.failedStates.includes(state));
  if (both.length > 0)
    problems.push({
      field: 'failedStates',
      message: `${quote(both)} also in allowedStates`,
      fix: 'a state can either succeed or fail the task, not both',
    });
  return problems;
}

function checkDelete(op: Extract<OperatorSpec, { kind: 's3_delete' }>): FieldProblem[] {
  const problems = checkBucket('bucket', op.bucket);
  if ((op.keys === undefined) === (op.prefix === undefined))
    problems.push({ field: 'keys', message: 'give exactly one of keys and prefix' });
  if (op.keys?.some((key) => key === '')) problems.push({ field: 'keys', message: 'contains an empty key' });
  if (op.prefix === '')
    problems.push({
      field: 'prefix',
      message: 'is empty, which would delete the whole bucket',
      fix: 'give a non-empty prefix, or list the keys',
    });
  return problems;
}

function checkPut(task: TaskSpec, op: Extract<OperatorSpec, { kind: 's3_put' }>): FieldProblem[] {
  const problems = checkObject('', op.bucket, op.key);
  if ((op.body === undefined) === (op.fromXcom === undefined))
    problems.push({ field: 'body', message: 'give exactly one of body and fromXcom' });
  if (op.fromXcom && !task.upstream.includes(op.fromXcom.taskId))
    problems.push({
      field: 'fromXcom',
      message: `reads the XCom of "${op.fromXcom.taskId}", which is not an upstream task`,
      fix: `pass that task's output (fromXcom: ref) or make "${op.fromXcom.taskId}" upstream`,
    });
  return problems;
}

function checkObject(prefix: string, bucket: string, key: string): FieldProblem[] {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const problems = checkBucket(at('bucket'), bucket);
  if (key === '') problems.push({ field: at('key'), message: 'is empty', fix: 'name the object key' });
  return problems;
}

/** A bucket name S3 would refuse (templated names are checked when they run). */
export function checkBucket(field: string, bucket: string): FieldProblem[] {
  if (templated(bucket) || BUCKET_PATTERN.test(bucket)) return [];
  return [
    {
      field,
      message: `invalid bucket name ${quote(bucket)}`,
      fix: 'use 3-63 lowercase letters, digits, "." or "-", starting and ending with a letter or digit',
    },
  ];
}
