/**
 * Chapter 5 of *Data Pipelines with Apache Airflow*: the umbrella company predicts umbrella sales
 * from the weather forecast. Weather and sales are fetched and cleaned in parallel, joined, a model
 * is trained and deployed.
 *
 * - **Branching.** The sales data moved from an old ERP system to a new one on `ERP_CHANGE_DATE`;
 *   `pick_erp_system` follows `fetch_sales_old` or `fetch_sales_new` by the run's date, and the
 *   other path is skipped. `join_erp_branch` uses `none_failed_min_one_success`, so the skipped
 *   path does not skip it (with the default `all_success` it would, and everything after it).
 * - **Latest only.** Backfilling old intervals should retrain but not redeploy an old model:
 *   `latest_only` short-circuits `deploy_ml_model` unless this run is for the most recent interval,
 *   with Airflow's `LatestOnlyOperator` window (`dataIntervalEnd < now <= end of the next interval`).
 *   Unlike Airflow, a manually triggered run is not exempt: `updraft dags test umbrella` without
 *   `--logical-date` covers the latest interval and deploys; an older `--logical-date` does not.
 *
 * The weather API and both ERP systems are stand-ins: deterministic functions of the date. Files go
 * to `<tmp>/updraft-examples/umbrella/<runId>` (`UPDRAFT_EXAMPLES_DIR` replaces
 * `<tmp>/updraft-examples`); only paths and small summaries cross task boundaries.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { branch, dag, empty, shortCircuit, type TaskContext, TriggerRule, task } from 'updraft';
import { exampleDir, random, writeAtomic } from './lib/example-io';

/** The day the new ERP system went live. */
const ERP_CHANGE_DATE = '2024-04-01';
/** Days of history (ending at the data interval's end) the model is trained on. */
const TRAINING_DAYS = 14;
const DAY_MS = 86_400_000;
const STORES = ['AMS', 'RTM', 'UTR'];

interface DailySales {
  date: string;
  umbrellas: number;
}

interface DailyWeather {
  date: string;
  rain: number;
  temperatureC: number;
}

interface Model {
  trainedFor: string;
  rows: number;
  intercept: number;
  slope: number;
  r2: number;
}

/** The training window's days, `YYYY-MM-DD`, oldest first. */
function trainingDays(ctx: TaskContext): string[] {
  const end = Math.floor(Date.parse(ctx.dataIntervalEnd) / DAY_MS) * DAY_MS;
  return Array.from({ length: TRAINING_DAYS }, (_, i) =>
    new Date(end - (TRAINING_DAYS - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/** Chance of rain on `date`, 0–100 (the weather API's answer). */
function rainChance(date: string): number {
  return Math.round(random(Date.parse(date) / DAY_MS)() * 100);
}

/** Umbrellas one store sold on `date`: more when it rains. */
function unitsSold(date: string, store: number): number {
  const noise = random(Date.parse(date) / DAY_MS + 7919 * (store + 1));
  return Math.round(3 + 0.4 * rainChance(date) + noise() * 6);
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

const fetchWeatherForecast = task({ taskId: 'fetch_weather_forecast', retries: 2 }, async (ctx) => {
  const forecasts = trainingDays(ctx).map((date) => ({
    date,
    precipitation_probability_pct: rainChance(date),
    temperature_c: Math.round(8 + random(Date.parse(date) / DAY_MS + 1)() * 12),
  }));
  ctx.log.info(`fetched ${forecasts.length} days of forecasts up to ${ctx.dataIntervalEnd}`);
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'raw', 'weather.json'), {
    location: 'NL',
    forecasts,
  });
});

const cleanWeatherForecast = task({ taskId: 'clean_weather_forecast' }, async (ctx, rawPath: string) => {
  const raw = await readJson<{
    forecasts: { date: string; precipitation_probability_pct: number; temperature_c: number }[];
  }>(rawPath);
  const weather: DailyWeather[] = raw.forecasts.map((f) => ({
    date: f.date,
    rain: f.precipitation_probability_pct / 100,
    temperatureC: f.temperature_c,
  }));
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'clean', 'weather.json'), weather);
});

const pickErpSystem = branch({ taskId: 'pick_erp_system' }, (ctx) => {
  const system = ctx.ds < ERP_CHANGE_DATE ? 'old' : 'new';
  ctx.log.info(
    `${ctx.ds} is ${system === 'old' ? 'before' : 'on or after'} ${ERP_CHANGE_DATE}: ${system} ERP`,
  );
  return `fetch_sales_${system}`;
});

/** The old ERP exports `date;store;umbrellas_sold` CSV. */
const fetchSalesOld = task({ taskId: 'fetch_sales_old', retries: 2 }, async (ctx) => {
  const lines = trainingDays(ctx).flatMap((date) =>
    STORES.map((store, i) => `${date};${store};${unitsSold(date, i)}`),
  );
  ctx.log.info(`fetched ${lines.length} sales rows from the old ERP system`);
  const csv = `date;store;umbrellas_sold\n${lines.join('\n')}\n`;
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'raw', 'sales_old.csv'), csv);
});

/** The new ERP answers JSON records with other names and compact dates. */
const fetchSalesNew = task({ taskId: 'fetch_sales_new', retries: 2 }, async (ctx) => {
  const records = trainingDays(ctx).flatMap((date) =>
    STORES.map((_, i) => ({ day: date.replaceAll('-', ''), store_id: i + 1, units: unitsSold(date, i) })),
  );
  ctx.log.info(`fetched ${records.length} sales records from the new ERP system`);
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'raw', 'sales_new.json'), { records });
});

function dailyTotals(rows: { date: string; units: number }[]): DailySales[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.date, (totals.get(row.date) ?? 0) + row.units);
  return [...totals]
    .map(([date, umbrellas]) => ({ date, umbrellas }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

const cleanSalesOld = task({ taskId: 'clean_sales_old' }, async (ctx, rawPath: string) => {
  const [, ...lines] = (await readFile(rawPath, 'utf8')).trim().split('\n');
  const rows = lines.map((line) => {
    const [date = '', , units = ''] = line.split(';');
    return { date, units: Number(units) };
  });
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'clean', 'sales.json'), dailyTotals(rows));
});

const cleanSalesNew = task({ taskId: 'clean_sales_new' }, async (ctx, rawPath: string) => {
  const { records } = await readJson<{ records: { day: string; units: number }[] }>(rawPath);
  const rows = records.map((r) => ({
    date: `${r.day.slice(0, 4)}-${r.day.slice(4, 6)}-${r.day.slice(6, 8)}`,
    units: r.units,
  }));
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'clean', 'sales.json'), dailyTotals(rows));
});

const joinDatasets = task({ taskId: 'join_datasets' }, async (ctx, weatherPath: string) => {
  // Whichever ERP branch ran left its cleaned sales; the other one was skipped and has no XCom.
  const salesPath = (await ctx.xcomPull('clean_sales_new')) ?? (await ctx.xcomPull('clean_sales_old'));
  if (typeof salesPath !== 'string') throw new Error('neither ERP branch produced cleaned sales');
  const weather = new Map((await readJson<DailyWeather[]>(weatherPath)).map((w) => [w.date, w]));
  const joined = (await readJson<DailySales[]>(salesPath)).flatMap((s) => {
    const w = weather.get(s.date);
    return w ? [{ ...w, umbrellas: s.umbrellas }] : [];
  });
  ctx.log.info(`joined ${joined.length} days of weather and sales`);
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'joined.json'), joined);
});

/** Least squares: umbrellas ≈ intercept + slope × chance of rain. */
const trainMlModel = task({ taskId: 'train_ml_model' }, async (ctx, joinedPath: string) => {
  const rows = await readJson<(DailyWeather & DailySales)[]>(joinedPath);
  const n = rows.length;
  const meanX = rows.reduce((s, r) => s + r.rain, 0) / n;
  const meanY = rows.reduce((s, r) => s + r.umbrellas, 0) / n;
  const sxy = rows.reduce((s, r) => s + (r.rain - meanX) * (r.umbrellas - meanY), 0);
  const sxx = rows.reduce((s, r) => s + (r.rain - meanX) ** 2, 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const ssRes = rows.reduce((s, r) => s + (r.umbrellas - intercept - slope * r.rain) ** 2, 0);
  const ssTot = rows.reduce((s, r) => s + (r.umbrellas - meanY) ** 2, 0);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const model: Model = {
    trainedFor: ctx.ds,
    rows: n,
    intercept: round(intercept),
    slope: round(slope),
    r2: round(ssTot === 0 ? 1 : 1 - ssRes / ssTot),
  };
  ctx.log.info(
    `trained on ${n} days: umbrellas ≈ ${model.intercept} + ${model.slope} × rain (r² ${model.r2})`,
  );
  return writeAtomic(path.join(exampleDir(ctx.dagId, ctx.runId), 'model', 'model.json'), model);
});

/** Airflow's LatestOnlyOperator: proceed only while `now` is inside the next interval. */
const latestOnly = shortCircuit({ taskId: 'latest_only' }, (ctx) => {
  const start = Date.parse(ctx.dataIntervalStart);
  const end = Date.parse(ctx.dataIntervalEnd);
  const now = Date.now();
  const latest = end < now && now <= end + (end - start);
  const interval = `[${ctx.dataIntervalStart}, ${ctx.dataIntervalEnd})`;
  ctx.log.info(
    latest
      ? `${interval} is the latest interval: deploying`
      : `${interval} is not the latest interval at ${new Date(now).toISOString()}: skipping deploy`,
  );
  return latest;
});

const deployMlModel = task({ taskId: 'deploy_ml_model' }, async (ctx, modelPath: string) => {
  const target = path.join(exampleDir(ctx.dagId, ctx.runId), 'deployed', 'model.json');
  await writeAtomic(target, await readFile(modelPath));
  ctx.log.info(`deployed the model trained for ${ctx.ds} to ${target}`);
  return target;
});

export default dag(
  {
    dagId: 'umbrella',
    description:
      'Umbrella sales model: branch on the ERP system, join, train, deploy latest only (the book, chapter 5)',
    tags: ['example', 'book', 'branching'],
    schedule: '@daily',
    startDate: '2024-01-01',
    catchup: false,
  },
  () => {
    const start = empty('start');
    const weather = fetchWeatherForecast();
    const pick = pickErpSystem();
    start.then([weather, pick]);

    const oldSales = fetchSalesOld();
    const newSales = fetchSalesNew();
    pick.then([oldSales, newSales]);
    const joinErp = empty({ taskId: 'join_erp_branch', triggerRule: TriggerRule.NoneFailedMinOneSuccess });
    cleanSalesOld(oldSales).then(joinErp);
    cleanSalesNew(newSales).then(joinErp);

    const joined = joinDatasets(cleanWeatherForecast(weather));
    joinErp.then(joined);
    const deploy = deployMlModel(trainMlModel(joined));
    latestOnly().then(deploy);
  },
);
