import type { DagSpec } from '../core/model';

/** The body of a function-like task as loaded from a bundle: `(context, ...inputs)`. */
export type LoadedCallable = (context: unknown, ...inputs: unknown[]) => unknown;

/** Loads task code from the run's immutable bundle version. */
export interface TaskCodeLoader {
  /** How loaded functions run, for the task instance's environment record (`worker` when unset). */
  readonly runtime?: string;
  /** `memoryMiB`: the attempt's memory (escalated or declared), for loaders that enforce it. */
  load(bundleVersion: string, dag: DagSpec, taskId: string, memoryMiB?: number): Promise<LoadedCallable>;
}
