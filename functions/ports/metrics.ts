import type { TaskInstanceKey } from '../core/records';

/** How one task attempt ended, as counted by the `TaskAttempts` metric. */
export type AttemptOutcome =
  | 'success'
  | 'failed'
  | 'up_for_retry'
  | 'skipped'
  | 'up_for_reschedule'
  | 'out_of_memory';

/**
 * The operational metrics the runtime emits (CloudWatch EMF on AWS). Names and dimensions are a
 * contract with the stack's dashboard and alarms (lib/monitoring.ts).
 */
export type MetricEvent =
  | { name: 'RunsFinished'; state: 'success' | 'failed'; dagId: string; runId: string }
  | { name: 'TaskAttempts'; outcome: AttemptOutcome; key: TaskInstanceKey; tryNumber: number }
  | { name: 'DispatchLatency'; milliseconds: number; key: TaskInstanceKey; tryNumber: number }
  | { name: 'SlaMisses'; key: TaskInstanceKey; deadline: string };

/** Where metric events go. Emitting never throws and never waits: metrics must not fail a task. */
export interface Metrics {
  emit(event: MetricEvent): void;
}

/** Metrics that go nowhere (local mode, `dags test`, deployments without a namespace). */
export const noMetrics: Metrics = { emit: () => {} };
