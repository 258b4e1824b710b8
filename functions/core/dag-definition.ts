import type { DagSpec } from './model';

/**
 * Brand on every DAG object. DAG modules are bundled with their own copy of the SDK, so
 * `instanceof` cannot work across bundles; a registered symbol can.
 */
export const DAG_BRAND: unique symbol = Symbol.for('updraft.dag') as never;

/** Where a DAG was defined, recorded in its serialized form. */
export interface DagLocation {
  /** Source file relative to the DAGs folder (`etl.dag.ts`). */
  fileloc: string;
  /** Bundle module relative to the bundle root (`code/etl.dag.mjs`). */
  module: string;
}

/** The body of a function-like task, as the worker calls it: `(context, ...resolvedInputs)`. */
export type TaskCallable = (context: unknown, ...inputs: unknown[]) => unknown;

/** What the build and the workers need from a DAG object exported by a DAG file. */
export interface DagDefinition {
  readonly [DAG_BRAND]: true;
  readonly dagId: string;
  /** Serializes the DAG (defaults applied); throws DagDefinitionError for author mistakes. */
  toSpec(location: DagLocation): DagSpec;
  /** The TS function behind a function/branch/short-circuit/sensor task, if that task has one. */
  taskCallable(taskId: string): TaskCallable | undefined;
}

/** True for DAG objects created by any copy of the SDK. */
export function isDag(value: unknown): value is DagDefinition {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DAG_BRAND] === true
  );
}

/** An author mistake found while defining a DAG (bad option, unknown dependency, duplicate id). */
export class DagDefinitionError extends Error {
  override readonly name = 'DagDefinitionError';
  constructor(
    message: string,
    readonly details: { dagId?: string; taskId?: string; field?: string; fix?: string } = {},
  ) {
    super(message);
  }
}
