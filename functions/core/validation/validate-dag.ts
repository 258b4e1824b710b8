import { buildGraph, findCycle } from '../graph';
import type { DagSpec, TaskSpec } from '../model';
import { timetableFor, validateTimezone } from '../timetables';
import { TRIGGER_RULES } from '../trigger-rule';
import { checkEnvironments } from './environment-fields';
import { checkNotifiers } from './notifier-fields';
import { checkOperatorFields, ID_FIX, ID_PATTERN } from './operator-fields';
import { checkParamSpec } from './params';
import type { Problem } from './problem';
import { checkSensorFields } from './sensor-fields';

/** Lambda's hard limits: a task beyond them must run on ECS. */
const LAMBDA_MAX_SECONDS = 900;
const LAMBDA_MAX_MEMORY_MIB = 10_240;

/** Every problem in one serialized DAG; empty when the DAG is valid. */
export function validateDag(spec: DagSpec): Problem[] {
  const at = (p: Omit<Problem, 'file' | 'dagId'>): Problem => ({
    file: spec.fileloc,
    dagId: spec.dagId,
    ...p,
  });
  const problems: Problem[] = [];
  if (!ID_PATTERN.test(spec.dagId)) {
    problems.push(at({ field: 'dagId', message: `invalid id ${JSON.stringify(spec.dagId)}`, fix: ID_FIX }));
  }
  problems.push(...validateTiming(spec).map(at));
  for (const [name, param] of Object.entries(spec.params)) {
    for (const message of checkParamSpec(name, param)) {
      problems.push(at({ field: `params.${name}`, message, fix: 'make the default satisfy the schema' }));
    }
  }
  for (const [event, notifiers] of Object.entries(spec.callbacks ?? {}))
    problems.push(...checkNotifiers(event, notifiers).map(at));
  problems.push(...validateTasks(spec.tasks).map(at));
  problems.push(...checkEnvironments(spec).map(at));
  return problems;
}

/** Problems across DAG files: each DAG's own, plus a DAG id defined twice. */
export function validateDags(specs: readonly DagSpec[]): Problem[] {
  const problems = specs.flatMap(validateDag);
  const firstFile = new Map<string, string>();
  for (const spec of specs) {
    const other = firstFile.get(spec.dagId);
    if (other === undefined) firstFile.set(spec.dagId, spec.fileloc);
    else {
      problems.push({
        file: spec.fileloc,
        dagId: spec.dagId,
        message: `DAG id is already defined in ${other}`,
        fix: 'give each DAG a unique dagId',
      });
    }
  }
  return problems;
}

function validateTiming(spec: DagSpec): Omit<Problem, 'file' | 'dagId'>[] {
  const problems: Omit<Problem, 'file' | 'dagId'>[] = [];
  const tzProblem = validateTimezone(spec.timezone);
  if (tzProblem)
    problems.push({ field: 'timezone', message: tzProblem, fix: 'use an IANA zone like "Europe/Amsterdam"' });
  try {
    // Build the timetable the planner will build, so a manifest that passes here never throws in a tick
    // (re-parsing the text alone accepted `{ kind: 'delta', duration: '0 2 * * *' }`).
    timetableFor(spec.schedule, tzProblem ? 'UTC' : spec.timezone);
  } catch (error) {
    problems.push({ field: 'schedule', message: (error as Error).message });
  }
  const start = spec.startDate === undefined ? undefined : Date.parse(spec.startDate);
  const end = spec.endDate === undefined ? undefined : Date.parse(spec.endDate);
  if (start !== undefined && Number.isNaN(start)) {
    problems.push({ field: 'startDate', message: `not a date: ${JSON.stringify(spec.startDate)}` });
  }
  if (end !== undefined && Number.isNaN(end)) {
    problems.push({ field: 'endDate', message: `not a date: ${JSON.stringify(spec.endDate)}` });
  }
  if (start !== undefined && end !== undefined && end < start) {
    problems.push({
      field: 'endDate',
      message: `endDate ${spec.endDate} is before startDate ${spec.startDate}`,
      fix: 'move endDate after startDate or remove it',
    });
  }
  if (spec.schedule.kind !== 'none' && spec.startDate === undefined) {
    problems.push({
      field: 'startDate',
      message: 'a scheduled DAG needs a startDate',
      fix: 'set startDate, or schedule: null for manual runs only',
    });
  }
  if (!Number.isInteger(spec.maxActiveRuns) || spec.maxActiveRuns < 1) {
    problems.push({
      field: 'maxActiveRuns',
      message: `must be a whole number >= 1, got ${spec.maxActiveRuns}`,
    });
  }
  if (!Number.isInteger(spec.maxActiveTasks) || spec.maxActiveTasks < 1) {
    problems.push({
      field: 'maxActiveTasks',
      message: `must be a whole number >= 1, got ${spec.maxActiveTasks}`,
    });
  }
  return problems;
}

function validateTasks(tasks: readonly TaskSpec[]): Omit<Problem, 'file' | 'dagId'>[] {
  const problems: Omit<Problem, 'file' | 'dagId'>[] = [];
  const ids = new Set<string>();
  for (const task of tasks) {
    const at = (p: Omit<Problem, 'file' | 'dagId' | 'taskId'>) =>
      problems.push({ taskId: task.taskId, ...p });
    if (ids.has(task.taskId))
      at({ field: 'taskId', message: 'duplicate task id', fix: 'give each task a unique taskId' });
    ids.add(task.taskId);
    if (!ID_PATTERN.test(task.taskId)) {
      at({ field: 'taskId', message: `invalid id ${JSON.stringify(task.taskId)}`, fix: ID_FIX });
    }
    for (const message of checkTaskFields(task)) at(message);
    for (const message of checkOperatorFields(task)) at(message);
    for (const message of checkSensorFields(task)) at(message);
  }
  for (const task of tasks) {
    for (const up of task.upstream) {
      if (!ids.has(up)) {
        problems.push({
          taskId: task.taskId,
          field: 'upstream',
          message: `depends on unknown task "${up}"`,
          fix: 'define that task in this DAG or remove the dependency',
        });
      }
    }
  }
  const cycle = findCycle(buildGraph(tasks));
  if (cycle) {
    problems.push({
      taskId: cycle[0],
      field: 'upstream',
      message: `cycle: ${cycle.join(' → ')}`,
      fix: 'remove one of these dependencies; a DAG must be acyclic',
    });
  }
  return problems;
}

function checkTaskFields(task: TaskSpec): Omit<Problem, 'file' | 'dagId' | 'taskId'>[] {
  const problems: Omit<Problem, 'file' | 'dagId' | 'taskId'>[] = [];
  if (!TRIGGER_RULES.includes(task.triggerRule)) {
    problems.push({
      field: 'triggerRule',
      message: `unknown trigger rule ${JSON.stringify(task.triggerRule)}`,
    });
  }
  if (!Number.isInteger(task.retries) || task.retries < 0) {
    problems.push({ field: 'retries', message: `must be a whole number >= 0, got ${task.retries}` });
  }
  // Airflow refuses pool_slots < 1 too: a task holding no slots would bypass its pool.
  if (!Number.isInteger(task.poolSlots) || task.poolSlots < 1) {
    problems.push({ field: 'poolSlots', message: `must be a whole number >= 1, got ${task.poolSlots}` });
  }
  if (task.pool.trim() === '' || task.pool.trim() !== task.pool) {
    problems.push({
      field: 'pool',
      message: `${JSON.stringify(task.pool)} is not a pool name`,
      fix: 'name a pool without surrounding spaces, or leave pool out for default_pool',
    });
  }
  if (!Number.isInteger(task.memoryMiB) || task.memoryMiB < 128) {
    problems.push({
      field: 'memoryMiB',
      message: `must be a whole number of MiB >= 128, got ${task.memoryMiB}`,
    });
  }
  if (task.executor === 'lambda') {
    if ((task.executionTimeoutSeconds ?? 0) > LAMBDA_MAX_SECONDS) {
      problems.push({
        field: 'executionTimeout',
        message: `${task.executionTimeoutSeconds}s exceeds Lambda's ${LAMBDA_MAX_SECONDS}s limit`,
        fix: "set executor: 'ecs' for tasks longer than 15 minutes",
      });
    }
    if (task.memoryMiB > LAMBDA_MAX_MEMORY_MIB) {
      problems.push({
        field: 'memoryMiB',
        message: `${task.memoryMiB} MiB exceeds Lambda's ${LAMBDA_MAX_MEMORY_MIB} MiB limit`,
        fix: "set executor: 'ecs' for tasks that need more memory",
      });
    }
  }
  for (const [event, notifiers] of Object.entries(task.callbacks ?? {}))
    problems.push(...checkNotifiers(event, notifiers));
  const sources = [...task.inputs, ...(task.mapped ? [task.mapped.over] : [])];
  for (const input of sources) {
    if (input.kind === 'xcom' && !task.upstream.includes(input.taskId)) {
      problems.push({
        field: 'inputs',
        message: `reads the XCom of "${input.taskId}", which is not an upstream task`,
        fix: `pass the output of "${input.taskId}" from this DAG`,
      });
    }
  }
  return problems;
}
