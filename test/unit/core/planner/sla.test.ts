import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../../functions/core/model';
import { slaMisses } from '../../../../functions/core/planner/sla';
import type { TaskInstanceRecord } from '../../../../functions/core/records';
import { ago, NOW, runOf, specOf, summarize, t, ti } from './fixtures';

// A scheduled run whose data interval ended 10 minutes before NOW.
const scheduled = runOf({
  runId: 'scheduled__2024-01-01',
  runType: 'scheduled',
  logicalDate: '2024-01-01T00:00:00.000Z',
  dataIntervalStart: '2024-01-01T00:00:00.000Z',
  dataIntervalEnd: ago(600),
});
const dagWith = (a: Partial<TaskSpec>) => specOf({ tasks: [t('a', [], a), t('b', ['a'])] });
const of = (spec: string, extra: Partial<TaskInstanceRecord> = {}) => ti(spec, extra, scheduled);

describe('slaMisses: Airflow 2 SLAs, measured from the data interval end of scheduled runs', () => {
  it.each<[string, Partial<TaskSpec>, TaskInstanceRecord[], string[]]>([
    ['deadline not reached yet', { slaSeconds: 601 }, [of('a=running')], []],
    ['deadline passed while running', { slaSeconds: 600 }, [of('a=running')], ['sla_miss a']],
    ['deadline passed before the task was created', { slaSeconds: 60 }, [], ['sla_miss a']],
    ['failed by the deadline still misses it', { slaSeconds: 60 }, [of('a=failed')], ['sla_miss a']],
    ['success meets it', { slaSeconds: 60 }, [of('a=success')], []],
    ['skipped meets it', { slaSeconds: 60 }, [of('a=skipped')], []],
    ['recorded once only', { slaSeconds: 60 }, [of('a=running', { slaMissedAt: ago(30) })], []],
    [
      'each mapped instance on its own',
      { slaSeconds: 60 },
      [of('a[0]=success'), of('a[1]=queued')],
      ['sla_miss a[1]'],
    ],
    ['no sla, no miss', {}, [of('a=running')], []],
  ])('%s', (_name, a, instances, expected) => {
    expect(summarize(slaMisses(dagWith(a), scheduled, instances, NOW))).toEqual(expected);
  });

  it('ignores manual runs (Airflow evaluates SLAs for scheduled runs only)', () => {
    const manual = { ...scheduled, runType: 'manual' as const };
    expect(slaMisses(dagWith({ slaSeconds: 1 }), manual, [], NOW)).toEqual([]);
  });

  it('records the state and try it expects, the deadline, and a readable reason', () => {
    const [miss] = slaMisses(
      dagWith({ slaSeconds: 300 }),
      scheduled,
      [of('a=up_for_retry', { tryNumber: 2 })],
      NOW,
    );
    expect(miss).toEqual({
      kind: 'record_sla_miss',
      key: { dagId: 'd', runId: 'scheduled__2024-01-01', taskId: 'a', mapIndex: -1 },
      from: 'up_for_retry',
      tryNumber: 2,
      deadline: ago(300),
      reason: `sla missed: not done 300s after the data interval end (deadline ${ago(300)}); up_for_retry`,
    });
  });
});
