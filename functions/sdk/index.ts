/**
 * The Updraft DAG authoring API: what `dags/*.dag.ts` import as `'updraft'`.
 * Pure definitions: nothing here performs I/O; the engine runs the tasks.
 */

export { DagDefinitionError, isDag } from '../core/dag-definition';
export type { DurationInput } from '../core/duration';
export type { ExecutorKind, JsonValue, ObjectLocation, ParamSpec } from '../core/model';
export type { DagRunState, TaskState } from '../core/states';
export type { TaskContext, TaskLogger } from '../core/task-context';
export { NonRetryableTaskError, OutOfMemoryError, SkipTaskError } from '../core/task-errors';
export { TriggerRule } from '../core/trigger-rule';
export { type AthenaQueryResult, athenaQuery } from './athena';
export { Dag, dag } from './dag';
export { type ImageEnvironment, image, type PythonEnvironment, pythonEnv } from './environments';
export { type Notifier, snsNotifier, webhookNotifier } from './notifiers';
export { bash, container, empty, http, lambdaInvoke, python, triggerDagRun } from './operators';
export type { DagOptions, TaskDefaults, TaskOptions } from './options';
export { param } from './options';
export type { GroupRef, TaskRef, XComArg } from './refs';
export { s3Copy, s3Delete, s3List, s3Put } from './s3-operators';
export { externalTaskSensor, httpSensor, s3KeySensor } from './sensors';
export { chain, group } from './structure';
export type { PokeResult, SensorOptions, TaskFactory, TaskFunction } from './task';
export { branch, sensor, shortCircuit, task } from './task';
