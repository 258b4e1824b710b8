import type { MetricEvent, Metrics } from '../../ports/metrics';

/** Metrics kept in memory, for tests and the benchmark. */
export class MemoryMetrics implements Metrics {
  readonly events: MetricEvent[] = [];

  emit(event: MetricEvent): void {
    this.events.push(event);
  }

  /** Events of one metric name. */
  named<N extends MetricEvent['name']>(name: N): Extract<MetricEvent, { name: N }>[] {
    return this.events.filter((e): e is Extract<MetricEvent, { name: N }> => e.name === name);
  }
}
