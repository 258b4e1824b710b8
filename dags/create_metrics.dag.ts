/**
 * Chapter 6 of *Data Pipelines with Apache Airflow*: the DAG `supermarket_promotions` triggers
 * once a supermarket's day is processed (`schedule: null`: it never runs on a schedule). The conf
 * names the supermarket and the day (`{"supermarket": "supermarket_1", "ds": "2024-01-02"}`);
 * without `ds` the run's own `ds` is used. As the book's DAG: `compute_differences` (how much more
 * a transaction sells under each promotion than without one), then `update_dashboard`.
 *
 * Reads `<tmp>/updraft-examples/supermarket_promotions/processed/<supermarket>/<ds>.json` and writes
 * `<tmp>/updraft-examples/create_metrics/<supermarket>/<ds>.json` (`UPDRAFT_EXAMPLES_DIR` replaces
 * `<tmp>/updraft-examples`), rewriting it on every try.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dag, NonRetryableTaskError, param, type TaskContext, task } from 'updraft';
import { writeAtomic } from './lib/example-io';
import { metricsPath, type ProcessedDay, supermarketPaths } from './lib/supermarket';

/** Metrics of one promotion; `unitsPerTransactionDiff` is against the `none` baseline. */
interface PromotionMetrics {
  promotion: string;
  unitsPerTransaction: number;
  unitsPerTransactionDiff: number;
  revenueShare: number;
}

/** The metrics file. */
interface Metrics {
  supermarket: string;
  ds: string;
  transactions: number;
  revenue: number;
  promotions: PromotionMetrics[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The supermarket and day this run is for: the conf, else the run's own day. */
function target(ctx: TaskContext) {
  const ds = typeof ctx.params.ds === 'string' ? ctx.params.ds : ctx.ds;
  return { supermarket: String(ctx.params.supermarket), ds };
}

const computeDifferences = task({ taskId: 'compute_differences' }, async (ctx) => {
  const { supermarket, ds } = target(ctx);
  const source = supermarketPaths(supermarket, ds).processed;
  const text = await readFile(source, 'utf8').catch(() => {
    // A run for a day nobody processed cannot succeed by retrying.
    throw new NonRetryableTaskError(
      `no processed data for ${supermarket} on ${ds} (${source}): run supermarket_promotions for that day first`,
    );
  });
  const day = JSON.parse(text) as ProcessedDay;
  const revenue = round2(day.promotions.reduce((sum, p) => sum + p.revenue, 0));
  const perTransaction = (p: ProcessedDay['promotions'][number]) => p.units / p.transactions;
  const baseline = day.promotions.find((p) => p.promotion === 'none');
  const metrics: Metrics = {
    supermarket,
    ds,
    transactions: day.transactions,
    revenue,
    promotions: day.promotions.map((p) => ({
      promotion: p.promotion,
      unitsPerTransaction: round2(perTransaction(p)),
      unitsPerTransactionDiff: baseline ? round2(perTransaction(p) - perTransaction(baseline)) : 0,
      revenueShare: revenue === 0 ? 0 : round2(p.revenue / revenue),
    })),
  };
  const file = await writeAtomic(metricsPath(supermarket, ds), metrics);
  ctx.log.info(`metrics of ${supermarket} on ${ds}: ${day.transactions} transactions, revenue ${revenue}`);
  return file;
});

/** The book's `update_dashboard`: here, the line a dashboard would show. */
const updateDashboard = task({ taskId: 'update_dashboard' }, async (ctx, metricsFile: string) => {
  const metrics = JSON.parse(await readFile(metricsFile, 'utf8')) as Metrics;
  const best = [...metrics.promotions]
    .filter((p) => p.promotion !== 'none')
    .sort((a, b) => b.unitsPerTransactionDiff - a.unitsPerTransactionDiff)[0];
  const diff = best?.unitsPerTransactionDiff ?? 0;
  const line = `${metrics.supermarket} ${metrics.ds}: revenue ${metrics.revenue.toFixed(2)}, best promotion ${best?.promotion ?? 'none'} (${diff >= 0 ? '+' : ''}${diff} units per transaction)`;
  ctx.log.info(`dashboard: ${line} (${path.basename(metricsFile)})`);
  return line;
});

export default dag(
  {
    dagId: 'create_metrics',
    description:
      'Promotion metrics of one supermarket day, triggered by supermarket_promotions (the book, chapter 6)',
    tags: ['example', 'book'],
    schedule: null,
    params: {
      supermarket: param('supermarket_1', { type: 'string', pattern: '^supermarket_[0-9]+$' }),
      ds: param(null, { type: ['null', 'string'], format: 'date' }),
    },
  },
  () => {
    updateDashboard(computeDifferences());
  },
);
