/**
 * Chapter 6 of *Data Pipelines with Apache Airflow*: triggering workflows. A supermarket uploads
 * its sales of the day to shared storage at a time nobody can predict, and writes a `_SUCCESS`
 * marker when it is done. The DAG waits for the marker with a sensor, copies the data to raw
 * storage, processes it, and then triggers `create_metrics` (a DAG of its own, `schedule: null`)
 * for that supermarket and day with `triggerDagRun`, as the book's `TriggerDagRunOperator`.
 *
 * The book polls four supermarkets with `PythonSensor(mode="reschedule")`; here one per run (the
 * `supermarket` param), and the sensor is the SDK's `sensor`, in reschedule mode: each poke is
 * its own short invocation and nothing runs between pokes. The upload itself is played by
 * `upload_supermarket_data`, which runs next to the sensor and takes a few seconds, so the first
 * poke usually finds nothing and the sensor reschedules, and a run never needs a human.
 *
 * Files are per day, like the book's `/data/supermarket1`: `<tmp>/updraft-examples/
 * supermarket_promotions/{landing,raw,processed}/<supermarket>/<ds>` (`UPDRAFT_EXAMPLES_DIR`
 * replaces `<tmp>/updraft-examples`). Each task rewrites its files; the upload deletes the day's
 * marker first, so a re-run waits for the new upload. `triggerDagRun` needs other DAGs' runs:
 * run this DAG in local mode (`npm start`), not with `updraft dags test`.
 */
import { access, copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dag, param, sensor, task, triggerDagRun } from 'updraft';
import { writeAtomic } from './lib/example-io';
import {
  type ProcessedDay,
  type PromotionSales,
  salesCsv,
  supermarketPaths,
  UPLOAD_PARTS,
} from './lib/supermarket';

/** Pause between uploaded parts: long enough that the first poke usually comes before the marker. */
const PART_PAUSE_MS = 700;

const supermarketOf = (ctx: { params: Record<string, unknown> }) => String(ctx.params.supermarket);

/** Plays the supermarket: uploads the day's CSV parts one by one, then `_SUCCESS`. */
const uploadSupermarketData = task({ taskId: 'upload_supermarket_data' }, async (ctx) => {
  const { landing } = supermarketPaths(supermarketOf(ctx), ctx.ds);
  await rm(path.join(landing, '_SUCCESS'), { force: true });
  for (let part = 1; part <= UPLOAD_PARTS; part++) {
    await sleep(PART_PAUSE_MS, undefined, { signal: ctx.signal });
    await writeAtomic(path.join(landing, `data-${part}.csv`), salesCsv(supermarketOf(ctx), ctx.ds, part));
    ctx.log.info(`uploaded data-${part}.csv`);
  }
  await writeAtomic(path.join(landing, '_SUCCESS'), '');
  ctx.log.info(`upload of ${landing} complete`);
});

/** The book's `_wait_for_supermarket`: data files and the `_SUCCESS` marker are there. */
const waitForSupermarket = sensor(
  // Seconds so a local run finishes fast; in production a daily upload would be poked every few
  // minutes (each poke is a Lambda invocation) with a timeout of hours.
  { taskId: 'wait_for_supermarket', mode: 'reschedule', pokeIntervalSeconds: 2, timeoutSeconds: 600 },
  async (ctx) => {
    const { landing } = supermarketPaths(supermarketOf(ctx), ctx.ds);
    // The marker first: it is written last, so once it is seen every data file is there too
    // (listing first could count the parts of a moment before the marker appeared).
    const marker = await access(path.join(landing, '_SUCCESS')).then(
      () => true,
      () => false,
    );
    const files = await readdir(landing).catch(() => [] as string[]);
    const data = files.filter((f) => /^data-.*\.csv$/.test(f));
    ctx.log.info(`${landing}: ${data.length} data files, ${marker ? 'with' : 'no'} _SUCCESS`);
    return data.length > 0 && marker;
  },
);

/** The book's `copy_to_raw`: our own copy, so the supermarket may clean its landing folder. */
const copyToRaw = task({ taskId: 'copy_to_raw' }, async (ctx) => {
  const { landing, raw } = supermarketPaths(supermarketOf(ctx), ctx.ds);
  await mkdir(raw, { recursive: true });
  const files = (await readdir(landing)).filter((f) => /^data-.*\.csv$/.test(f)).sort();
  for (const file of files) await copyFile(path.join(landing, file), path.join(raw, file));
  ctx.log.info(`copied ${files.join(', ')} to ${raw}`);
  return files.length;
});

/** The book's `process_supermarket`: transactions, units and revenue per promotion. */
const processSupermarket = task({ taskId: 'process_supermarket' }, async (ctx) => {
  const supermarket = supermarketOf(ctx);
  const { raw, processed } = supermarketPaths(supermarket, ctx.ds);
  const byPromotion = new Map<string, PromotionSales>();
  let transactions = 0;
  for (const file of (await readdir(raw)).sort()) {
    const [, ...rows] = (await readFile(path.join(raw, file), 'utf8')).trim().split('\n');
    for (const row of rows) {
      const [, , promotion = '', units = '0', price = '0'] = row.split(',');
      const sales = byPromotion.get(promotion) ?? { promotion, transactions: 0, units: 0, revenue: 0 };
      sales.transactions++;
      sales.units += Number(units);
      // Cents, so sums of prices do not pick up floating-point dust.
      sales.revenue = Math.round(sales.revenue * 100 + Number(units) * Number(price) * 100) / 100;
      byPromotion.set(promotion, sales);
      transactions++;
    }
  }
  const day: ProcessedDay = {
    supermarket,
    ds: ctx.ds,
    transactions,
    promotions: [...byPromotion.values()].sort((a, b) => a.promotion.localeCompare(b.promotion)),
  };
  await writeAtomic(processed, day);
  ctx.log.info(`${transactions} transactions of ${supermarket} on ${ctx.ds} processed into ${processed}`);
  return processed;
});

export default dag(
  {
    dagId: 'supermarket_promotions',
    description: 'Wait for a supermarket upload, process it, trigger create_metrics (the book, chapter 6)',
    tags: ['example', 'book'],
    schedule: '@daily',
    startDate: '2024-01-01',
    catchup: false,
    params: { supermarket: param('supermarket_1', { type: 'string', pattern: '^supermarket_[0-9]+$' }) },
  },
  () => {
    uploadSupermarketData();
    const processed = processSupermarket();
    waitForSupermarket().then(copyToRaw()).then(processed);
    processed.then(
      triggerDagRun({
        taskId: 'trigger_create_metrics',
        triggerDagId: 'create_metrics',
        conf: { supermarket: '{{ params.supermarket }}', ds: '{{ ds }}' },
        // Waiting makes this run's success mean "metrics are there"; seconds for local runs,
        // a minute or more in production (the wait holds this task's Lambda).
        waitForCompletion: true,
        pokeIntervalSeconds: 1,
      }),
    );
  },
);
