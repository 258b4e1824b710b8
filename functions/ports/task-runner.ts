import type { EnvironmentSpec, JsonValue, TaskSpec } from '../core/model';
import type { TaskEnvironment } from '../core/records';
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
  /**
   * A reschedule-mode sensor's condition is not met yet; the runtime schedules the next poke and
   * remembers `externalJobId` (a started external job, e.g. an Athena query) for it.
   */
  | { kind: 'reschedule'; reason: string; externalJobId?: string }
  /**
   * Started outside the worker (an ECS task) and finishing on its own: the attempt stays running,
   * remembering `externalJobId`, until its completion event (or the tick's check) ends it.
   */
  | { kind: 'detached'; externalJobId: string; reason: string };

/** What earlier pokes of this try left for a reschedule-mode sensor's poke. */
export interface PokeState {
  /** The external job an earlier poke started; absent on the try's first poke. */
  externalJobId?: string;
  /** The sensor's timeout has passed (core/sensor.ts): an unfinished external job should be cancelled. */
  timedOut: boolean;
}

/** Everything one operator run gets. */
export interface OperatorInvocation {
  task: TaskSpec;
  context: TaskContext;
  /** Resolved positional inputs (literals and upstream XComs). */
  inputs: unknown[];
  /** The task's TS function, for function-like operators. */
  callable?: LoadedCallable;
  /** Reschedule-mode sensors: the state of earlier pokes of this try (absent: a first poke). */
  poke?: PokeState;
  /** The run's bundle version (Python scripts and requirements come from it). */
  bundleVersion?: string;
  /** Memory of this attempt in MiB: the task's, or more after an out-of-memory escalation. */
  memoryMiB?: number;
  /** Container and Python tasks: the environment they declared. */
  environment?: EnvironmentSpec;
  /** Adds what the operator learned about where it ran (image digest, function version …) to the record. */
  recordEnvironment?: (details: Partial<TaskEnvironment>) => void;
}

/** Port: runs one task attempt's body; throws to fail it (see core/task-errors for skip and no-retry). */
export type OperatorRunner = (invocation: OperatorInvocation) => Promise<OperatorResult>;
