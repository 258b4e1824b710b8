import { describe, expect, it } from 'vitest';
import { awaitCreatedRunsIndexed } from '../../../functions/app/await-index';
import type { Command } from '../../../functions/core/planner/commands';
import type { DagRunRecord } from '../../../functions/core/records';

const interval = { start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T00:00:00.000Z' };
const create = (runId: string): Command => ({
  kind: 'create_run',
  dagId: 'd',
  runId,
  logicalDate: interval.start,
  dataInterval: interval,
  runAfter: interval.end,
  bundleVersion: 'v1',
  reason: 'due',
});
const queue = (runId: string): Command => ({
  kind: 'queue_task',
  key: { dagId: 'd', runId, taskId: 't', mapIndex: -1 },
  from: 'none',
  tryNumber: 1,
  memoryMiB: 1024,
  reason: 'ready',
});

/** An index that lists `r1` only from its `visibleFrom`-th query on. */
function laggingIndex(visibleFrom: number) {
  let queries = 0;
  return {
    queries: () => queries,
    store: {
      listActiveRuns: async () => {
        queries++;
        return (queries >= visibleFrom ? [{ dagId: 'd', runId: 'r1' }] : []) as DagRunRecord[];
      },
    },
  };
}
const noSleep = async () => {};
const wait = { timeoutMs: 200, pollMs: 50 };

describe('awaitCreatedRunsIndexed', () => {
  it('does not query when the tick created no run it queued tasks in', async () => {
    const index = laggingIndex(1);
    expect(await awaitCreatedRunsIndexed(index.store, [create('r1'), queue('old')], wait, noSleep)).toBe(
      true,
    );
    expect(index.queries()).toBe(0);
  });

  it('looks again until the index lists the new run', async () => {
    const index = laggingIndex(3);
    expect(await awaitCreatedRunsIndexed(index.store, [create('r1'), queue('r1')], wait, noSleep)).toBe(true);
    expect(index.queries()).toBe(3);
  });

  it('gives up at the deadline and says so', async () => {
    const index = laggingIndex(100);
    expect(await awaitCreatedRunsIndexed(index.store, [create('r1'), queue('r1')], wait, noSleep)).toBe(
      false,
    );
    expect(index.queries()).toBe(5);
  });
});
