import type { DagSpec } from '../core/model';

/** The body of a function-like task as loaded from a bundle: `(context, ...inputs)`. */
export type LoadedCallable = (context: unknown, ...inputs: unknown[]) => unknown;

/** Loads task code from the run's immutable bundle version. */
export interface TaskCodeLoader {
  load(bundleVersion: string, dag: DagSpec, taskId: string): Promise<LoadedCallable>;
}
