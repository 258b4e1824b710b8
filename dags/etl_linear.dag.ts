/**
 * A linear ETL with TaskFlow data passing: extract → transform → load.
 * Scheduled at 02:00 Amsterdam time with catchup over a bounded window, so its data intervals
 * cross the DST change of 2024-03-31 (try `npx updraft dags next-runs etl_linear --now 2024-03-31T12:00:00Z`).
 */
import { dag, task } from 'updraft';

interface Sale {
  store: string;
  amountCents: number;
}

const extract = task({ taskId: 'extract' }, (ctx): Sale[] => {
  // A real pipeline would read the interval [dataIntervalStart, dataIntervalEnd) from a source.
  ctx.log.info(`extracting sales for ${ctx.dataIntervalStart} .. ${ctx.dataIntervalEnd}`);
  const day = Number(ctx.ds.slice(-2));
  return [
    { store: 'amsterdam', amountCents: 1250 * day },
    { store: 'utrecht', amountCents: 990 * day },
    { store: 'amsterdam', amountCents: 410 },
  ];
});

const transform = task({ taskId: 'transform' }, (_ctx, sales: Sale[]): Record<string, number> => {
  const totals: Record<string, number> = {};
  for (const sale of sales) totals[sale.store] = (totals[sale.store] ?? 0) + sale.amountCents;
  return totals;
});

const load = task(
  { taskId: 'load', retries: 2, retryDelay: { seconds: 30 } },
  (ctx, totals: Record<string, number>) => {
    const stores = Object.keys(totals).sort();
    ctx.log.info(`loaded ${stores.length} store totals for ${ctx.ds}`, totals);
    return { rows: stores.length, ds: ctx.ds };
  },
);

export default dag(
  {
    dagId: 'etl_linear',
    description: 'Daily sales ETL with typed data passing between tasks',
    tags: ['example', 'etl'],
    schedule: '0 2 * * *',
    timezone: 'Europe/Amsterdam',
    startDate: '2024-03-28',
    endDate: '2024-04-03',
    catchup: true,
    maxActiveRuns: 2,
  },
  () => {
    load(transform(extract()));
  },
);
