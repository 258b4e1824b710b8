import type { JsonValue, TaskSpec } from '../core/model';
import type { TaskContext } from '../core/task-context';
import type { LoadedCallable } from './task-code';

/**
 * What an operator produced: its XCom value, XComs under other keys (Airflow's `xcom_push`, e.g.
 * `trigger_run_id`), and for branch/short-circuit/sensor its decision.
 */
export type OperatorResult =
  | {
      kind: 'done';
      value: JsonValue | undefined;
      xcoms?: Record<string, JsonValue>;
      followTaskIds?: string[];
      shortCircuited?: boolean;
    }
  | { kind: 'skipped'; reason: string }
  /** A reschedule-mode sensor's condition is not met yet; the runtime schedules the next poke. */
  | { kind: 'reschedule'; reason: string };

/** Everything one operator run gets. */
export interface OperatorInvocation {
  task: TaskSpec;
  context: TaskContext;
  /** Resolved positional inputs (literals and upstream XComs). */
  inputs: unknown[];
  /** The task's TS function, for function-like operators. */
  callable?: LoadedCallable;
}

/** Port: runs one task attempt's body; throws to fail it (see core/task-errors for skip and no-retry). */
export type OperatorRunner = (invocation: OperatorInvocation) => Promise<OperatorResult>;
