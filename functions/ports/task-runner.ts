import type { JsonValue, TaskSpec } from '../core/model';
import type { TaskContext } from '../core/task-context';
import type { LoadedCallable } from './task-code';

/** What an operator produced: its XCom value and, for branch/short-circuit/sensor, its decision. */
export type OperatorResult =
  | { kind: 'done'; value: JsonValue | undefined; followTaskIds?: string[]; shortCircuited?: boolean }
  | { kind: 'skipped'; reason: string }
  | { kind: 'reschedule'; reason: string; nextPokeAt: string };

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
