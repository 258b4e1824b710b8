import { describe, expect, it } from 'vitest';
import { type EmfDocument, EmfMetrics } from '../../../../functions/adapters/aws/metrics/emf-metrics';

const key = { dagId: 'etl', runId: 'manual__1', taskId: 'load', mapIndex: 2 };

function capture() {
  const lines: string[] = [];
  const metrics = new EmfMetrics({
    namespace: 'Updraft/Prod',
    write: (l) => lines.push(l),
    now: () => 1700000000000,
  });
  return { metrics, docs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('EmfMetrics: CloudWatch embedded metric format lines', () => {
  it('writes RunsFinished with the State dimension and the run as properties', () => {
    const { metrics, docs, lines } = capture();
    metrics.emit({ name: 'RunsFinished', state: 'failed', dagId: 'etl', runId: 'manual__1' });
    expect(lines[0]).toMatch(/\n$/);
    expect(docs()[0]).toEqual({
      _aws: {
        Timestamp: 1700000000000,
        CloudWatchMetrics: [
          {
            Namespace: 'Updraft/Prod',
            Dimensions: [['State']],
            Metrics: [{ Name: 'RunsFinished', Unit: 'Count' }],
          },
        ],
      },
      State: 'failed',
      RunsFinished: 1,
      dagId: 'etl',
      runId: 'manual__1',
    });
  });

  it('writes TaskAttempts by Outcome and DispatchLatency without dimensions', () => {
    const { metrics, docs } = capture();
    metrics.emit({ name: 'TaskAttempts', outcome: 'up_for_retry', key, tryNumber: 2 });
    metrics.emit({ name: 'DispatchLatency', milliseconds: 42, key, tryNumber: 2 });
    const [attempt, latency] = docs() as unknown as [EmfDocument, EmfDocument];
    expect(attempt._aws.CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [['Outcome']],
      Metrics: [{ Name: 'TaskAttempts', Unit: 'Count' }],
    });
    expect(attempt).toMatchObject({
      Outcome: 'up_for_retry',
      TaskAttempts: 1,
      taskId: 'load',
      mapIndex: 2,
      tryNumber: 2,
    });
    expect(latency._aws.CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [[]],
      Metrics: [{ Name: 'DispatchLatency', Unit: 'Milliseconds' }],
    });
    expect(latency.DispatchLatency).toBe(42);
  });

  it('never throws: a metric is not worth failing a task for', () => {
    const metrics = new EmfMetrics({
      namespace: 'N',
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => metrics.emit({ name: 'DispatchLatency', milliseconds: 1, key, tryNumber: 1 })).not.toThrow();
  });

  it('writes raw stdout lines by default (Lambda JSON log format passes them through as EMF)', () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      new EmfMetrics({ namespace: 'N' }).emit({
        name: 'RunsFinished',
        state: 'success',
        dagId: 'd',
        runId: 'r',
      });
    } finally {
      process.stdout.write = original;
    }
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({ State: 'success', RunsFinished: 1 });
  });
});
