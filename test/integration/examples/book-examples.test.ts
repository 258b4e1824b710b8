import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import launchImages from '../../../dags/fixtures/launch-images.json';
import { dagsTest, exists, readJson, statesOf, useExamplesDir } from './dags-test-harness';

// Chapters 2, 3 and 5 (see dags-test-harness.ts for how the examples are run).
const examplesDir = useExamplesDir();

describe('rocket_launches (chapter 2)', () => {
  it('downloads the launches over HTTP, saves each distinct picture once and reports the count', async () => {
    const { json, logs, dir } = await dagsTest('rocket_launches', '--logical-date', '2024-01-01T00:00:00Z');
    expect(statesOf(json)).toEqual({
      download_launches: 'success',
      get_pictures: 'success',
      notify: 'success',
    });

    const launches = await readJson<{ results: { name: string; image: string | null }[] }>(
      path.join(dir, 'launches.json'),
    );
    expect(launches.results).toHaveLength(5);
    // Served like the real API: absolute image URLs (of the stand-in on 127.0.0.1), one launch without.
    expect(launches.results.map((l) => l.image?.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''))).toEqual([
      '/media/launcher_images/falcon_9.svg',
      '/media/launcher_images/electron.svg',
      '/media/launcher_images/vulcan.png',
      '/media/launcher_images/falcon_9.svg',
      undefined,
    ]);

    const images = path.join(dir, 'images');
    expect((await readdir(images)).sort()).toEqual(['electron.svg', 'falcon_9.svg', 'vulcan.png']);
    expect(await readFile(path.join(images, 'falcon_9.svg'), 'utf8')).toBe(
      launchImages['/media/launcher_images/falcon_9.svg'].body,
    );
    const png = await readFile(path.join(images, 'vulcan.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('base64')).toBe(launchImages['/media/launcher_images/vulcan.png'].body);

    expect(logs).toContain('[download_launches #1] downloaded 5 launches to ');
    expect(logs).toContain('[get_pictures #1] Kinetica-1 | DEAR-1 has no image');
    expect(logs).toContain('[notify #1] get_pictures saved 3 distinct images');
    expect(logs).toContain('[notify #1] There are now 3 images.');
  }, 60_000);

  it('is idempotent: the same run again rewrites the same files and still counts 3 images', async () => {
    const first = await dagsTest('rocket_launches', '--logical-date', '2024-02-01T00:00:00Z');
    const svg = await readFile(path.join(first.dir, 'images', 'electron.svg'), 'utf8');
    const again = await dagsTest('rocket_launches', '--logical-date', '2024-02-01T00:00:00Z');
    expect(again.dir).toBe(first.dir);
    expect((await readdir(path.join(again.dir, 'images'))).sort()).toEqual([
      'electron.svg',
      'falcon_9.svg',
      'vulcan.png',
    ]);
    expect(await readFile(path.join(again.dir, 'images', 'electron.svg'), 'utf8')).toBe(svg);
    expect(again.logs).toContain('[notify #1] There are now 3 images.');
  }, 60_000);
});

describe('user_events (chapter 3)', () => {
  interface UserEvent {
    user: string;
    date: string;
    type: string;
  }
  interface Stats {
    ds: string;
    dataIntervalStart: string;
    dataIntervalEnd: string;
    totalEvents: number;
    users: { user: string; count: number }[];
  }
  const partition = (kind: 'events' | 'stats', ds: string) =>
    path.join(examplesDir(), 'user_events', kind, `${ds}.json`);

  it('loads each interval into its own ds partition and counts events per user', async () => {
    const jan3 = await dagsTest('user_events', '--logical-date', '2024-01-03T00:00:00Z');
    expect(statesOf(jan3.json)).toEqual({ fetch_events: 'success', calculate_stats: 'success' });
    // A manual run covers the last complete interval before its logical date (Airflow's
    // infer_manual_data_interval); the files are named by ds, as the book's templated paths.
    expect(jan3.logs).toContain(
      '[fetch_events #1] fetched 41 events of [2024-01-02T00:00:00.000Z, 2024-01-03T00:00:00.000Z) into ',
    );
    const events = await readJson<UserEvent[]>(partition('events', '2024-01-03'));
    expect(events).toHaveLength(41);
    for (const event of events) {
      expect(event.date >= '2024-01-02T00:00:00.000Z' && event.date < '2024-01-03T00:00:00.000Z').toBe(true);
    }

    const stats = await readJson<Stats>(partition('stats', '2024-01-03'));
    expect(stats).toEqual({
      ds: '2024-01-03',
      dataIntervalStart: '2024-01-02T00:00:00.000Z',
      dataIntervalEnd: '2024-01-03T00:00:00.000Z',
      totalEvents: 41,
      users: [
        { user: 'ada', count: 1 },
        { user: 'alan', count: 4 },
        { user: 'barbara', count: 3 },
        { user: 'edsger', count: 9 },
        { user: 'grace', count: 7 },
        { user: 'ken', count: 5 },
        { user: 'linus', count: 7 },
        { user: 'margaret', count: 5 },
      ],
    });
    // The stats are the per-user counts of exactly the events in the partition.
    const recount: Record<string, number> = {};
    for (const event of events) recount[event.user] = (recount[event.user] ?? 0) + 1;
    expect(Object.fromEntries(stats.users.map((u) => [u.user, u.count]))).toEqual(recount);
    expect(jan3.logs).toContain('[calculate_stats #1] 41 events by 8 users for 2024-01-03');

    // The next interval adds a partition next to the first one (incremental), with other events.
    const jan4 = await dagsTest('user_events', '--logical-date', '2024-01-04T00:00:00Z');
    expect(statesOf(jan4.json)).toEqual({ fetch_events: 'success', calculate_stats: 'success' });
    expect((await readdir(path.join(examplesDir(), 'user_events', 'events'))).sort()).toEqual([
      '2024-01-03.json',
      '2024-01-04.json',
    ]);
    const next = await readJson<UserEvent[]>(partition('events', '2024-01-04'));
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((e) => e.date.startsWith('2024-01-03'))).toBe(true);
    const nextStats = await readJson<Stats>(partition('stats', '2024-01-04'));
    expect(nextStats.totalEvents).toBe(next.length);
    expect(nextStats.users.reduce((sum, u) => sum + u.count, 0)).toBe(next.length);
  }, 90_000);

  it('re-running an interval rewrites its partition with the same data (idempotent)', async () => {
    await dagsTest('user_events', '--logical-date', '2024-02-10T00:00:00Z');
    const events = await readFile(partition('events', '2024-02-10'), 'utf8');
    const stats = await readFile(partition('stats', '2024-02-10'), 'utf8');
    await dagsTest('user_events', '--logical-date', '2024-02-10T00:00:00Z');
    expect(await readFile(partition('events', '2024-02-10'), 'utf8')).toBe(events);
    expect(await readFile(partition('stats', '2024-02-10'), 'utf8')).toBe(stats);
  }, 60_000);
});

describe('umbrella (chapter 5)', () => {
  interface Model {
    trainedFor: string;
    rows: number;
    intercept: number;
    slope: number;
    r2: number;
  }
  const common = {
    start: 'success',
    fetch_weather_forecast: 'success',
    clean_weather_forecast: 'success',
    pick_erp_system: 'success',
    join_erp_branch: 'success',
    join_datasets: 'success',
    train_ml_model: 'success',
    latest_only: 'success',
  };
  const oldBranch = {
    fetch_sales_old: 'success',
    clean_sales_old: 'success',
    fetch_sales_new: 'skipped',
    clean_sales_new: 'skipped',
  };
  const newBranch = {
    fetch_sales_old: 'skipped',
    clean_sales_old: 'skipped',
    fetch_sales_new: 'success',
    clean_sales_new: 'success',
  };

  async function expectTrained(dir: string, ds: string): Promise<Model> {
    const sales = await readJson<{ date: string; umbrellas: number }[]>(
      path.join(dir, 'clean', 'sales.json'),
    );
    expect(sales).toHaveLength(14);
    expect(await readJson<unknown[]>(path.join(dir, 'joined.json'))).toHaveLength(14);
    const model = await readJson<Model>(path.join(dir, 'model', 'model.json'));
    expect(model).toMatchObject({ trainedFor: ds, rows: 14 });
    // The stand-in sales grow with the chance of rain: the model finds it.
    expect(model.slope).toBeGreaterThan(50);
    expect(model.r2).toBeGreaterThan(0.9);
    return model;
  }

  it('before the ERP change: the old system branch, the join still runs, no deploy of an old interval', async () => {
    const { json, logs, dir } = await dagsTest('umbrella', '--logical-date', '2024-01-15T00:00:00Z');
    expect(statesOf(json)).toEqual({ ...common, ...oldBranch, deploy_ml_model: 'skipped' });
    expect(logs).toContain('[pick_erp_system #1] 2024-01-15 is before 2024-04-01: old ERP');
    expect(await readFile(path.join(dir, 'raw', 'sales_old.csv'), 'utf8')).toMatch(
      /^date;store;umbrellas_sold\n2024-01-01;AMS;\d+\n/,
    );
    expect(await exists(path.join(dir, 'raw', 'sales_new.json'))).toBe(false);
    await expectTrained(dir, '2024-01-15');
    expect(logs).toContain(
      '[latest_only #1] [2024-01-14T00:00:00.000Z, 2024-01-15T00:00:00.000Z) is not the latest interval',
    );
    expect(await exists(path.join(dir, 'deployed', 'model.json'))).toBe(false);
  }, 60_000);

  it('after the ERP change: the new system branch', async () => {
    const { json, logs, dir } = await dagsTest('umbrella', '--logical-date', '2024-07-01T00:00:00Z');
    expect(statesOf(json)).toEqual({ ...common, ...newBranch, deploy_ml_model: 'skipped' });
    expect(logs).toContain('[pick_erp_system #1] 2024-07-01 is on or after 2024-04-01: new ERP');
    const raw = await readJson<{ records: { day: string; store_id: number; units: number }[] }>(
      path.join(dir, 'raw', 'sales_new.json'),
    );
    expect(raw.records).toHaveLength(42);
    expect(raw.records[0]).toMatchObject({ day: '20240617', store_id: 1 });
    expect(await exists(path.join(dir, 'raw', 'sales_old.csv'))).toBe(false);
    await expectTrained(dir, '2024-07-01');
    expect(await exists(path.join(dir, 'deployed', 'model.json'))).toBe(false);
  }, 60_000);

  it('the latest interval (no --logical-date: now) is deployed', async () => {
    const { json, logs, dir } = await dagsTest('umbrella');
    expect(statesOf(json)).toEqual({ ...common, ...newBranch, deploy_ml_model: 'success' });
    expect(logs).toMatch(/\[latest_only #1\] \[[^)]+\) is the latest interval: deploying/);
    const model = await expectTrained(dir, json.dag_run_id.slice('manual__'.length, 'manual__'.length + 10));
    expect(await readJson<Model>(path.join(dir, 'deployed', 'model.json'))).toEqual(model);
    expect(logs).toContain('[deploy_ml_model #1] deployed the model trained for ');
  }, 60_000);
});
