import type { MetricEvent, Metrics } from '../../../ports/metrics';

/** One line of CloudWatch Embedded Metric Format. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

/** Options of `EmfMetrics`. */
export interface EmfMetricsOptions {
  namespace: string;
  /**
   * Writes one line. Default: `process.stdout.write`, not `console.log`: with Lambda's JSON log
   * format the runtime wraps console output in its own JSON, which CloudWatch would not read as
   * EMF; raw stdout lines are passed through as they are.
   */
  write?: (line: string) => void;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/**
 * Metrics as CloudWatch EMF log lines: no PutMetricData calls, no extra IAM, no added latency.
 * Dimensions stay low-cardinality (State, Outcome); DAG, run and task ids ride along as
 * properties, searchable with Logs Insights but not multiplying custom metrics.
 */
export class EmfMetrics implements Metrics {
  private readonly write: (line: string) => void;
  private readonly now: () => number;

  constructor(private readonly options: EmfMetricsOptions) {
    this.write = options.write ?? ((line) => process.stdout.write(line));
    this.now = options.now ?? Date.now;
  }

  emit(event: MetricEvent): void {
    try {
      this.write(`${JSON.stringify(this.document(event))}\n`);
    } catch {
      // A metric is never worth failing the task or the tick for.
    }
  }

  /** The EMF document of one event. */
  document(event: MetricEvent): EmfDocument {
    const metric = (name: string, unit: string, dimensions: string[]) => ({
      Timestamp: this.now(),
      CloudWatchMetrics: [
        {
          Namespace: this.options.namespace,
          Dimensions: [dimensions],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    });
    switch (event.name) {
      case 'RunsFinished':
        return {
          _aws: metric(event.name, 'Count', ['State']),
          State: event.state,
          RunsFinished: 1,
          dagId: event.dagId,
          runId: event.runId,
        };
      case 'TaskAttempts':
        return {
          _aws: metric(event.name, 'Count', ['Outcome']),
          Outcome: event.outcome,
          TaskAttempts: 1,
          ...event.key,
          tryNumber: event.tryNumber,
        };
      case 'SlaMisses':
        return {
          _aws: metric(event.name, 'Count', []),
          SlaMisses: 1,
          ...event.key,
          deadline: event.deadline,
        };
      case 'DispatchLatency':
        return {
          _aws: metric(event.name, 'Milliseconds', []),
          DispatchLatency: event.milliseconds,
          ...event.key,
          tryNumber: event.tryNumber,
        };
    }
  }
}
