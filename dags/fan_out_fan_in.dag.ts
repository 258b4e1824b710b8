/**
 * Fan-out / fan-in with trigger rules: three sources are fetched in parallel, `merge` runs when
 * at least one succeeded (`one_success`), `alert` only if any fetch failed (`one_failed`), and
 * `cleanup` always runs once everything upstream is done (`all_done`). The weather source is
 * configured to fail (conf `{"failWeather": false}` makes it succeed), so `alert` fires.
 */
import { chain, dag, empty, NonRetryableTaskError, TriggerRule, task } from 'updraft';

const fetchSource = task({ taskId: 'fetch' }, (ctx, source: string): { source: string; records: number } => {
  if (source === 'weather' && ctx.params.failWeather) {
    throw new NonRetryableTaskError(
      'weather API answered 503 (simulated; trigger with conf {"failWeather": false})',
    );
  }
  ctx.log.info(`fetched ${source}`);
  return { source, records: source.length * 10 };
});

const merge = task(
  { taskId: 'merge', triggerRule: TriggerRule.OneSuccess },
  (ctx, ...parts: ({ source: string; records: number } | null)[]) => {
    const got = parts.filter((p) => p !== null);
    ctx.log.info(`merging ${got.length} of ${parts.length} sources`);
    return got.reduce((sum, p) => sum + p.records, 0);
  },
);

const alert = task({ taskId: 'alert', triggerRule: TriggerRule.OneFailed }, (ctx) => {
  ctx.log.warn('at least one source failed; the on-call channel would be notified here');
});

export default dag(
  {
    dagId: 'fan_out_fan_in',
    description: 'Parallel fetches joined with one_success, alerting with one_failed, cleanup with all_done',
    tags: ['example', 'trigger-rules'],
    schedule: null,
    params: { failWeather: true },
  },
  () => {
    const start = empty('start');
    const fetches = ['sales', 'weather', 'inventory'].map((source) =>
      fetchSource.override({ taskId: `fetch_${source}` })(source),
    );
    const merged = merge(...fetches);
    const alerted = alert();
    const cleanup = empty({ taskId: 'cleanup', triggerRule: TriggerRule.AllDone });
    chain(start, fetches, merged, cleanup);
    chain(fetches, alerted, cleanup);
  },
);
