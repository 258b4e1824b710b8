/**
 * Chapter 3 of *Data Pipelines with Apache Airflow*: a daily, incremental load of user events.
 * Each run fetches only the events of its data interval `[dataIntervalStart, dataIntervalEnd)`
 * and writes them to a partition named after its `ds`, then computes per-user counts for that
 * partition: the book's
 *
 *   curl -o /data/events/{{ds}}.json
 *     "http://events_api:5000/events?start_date={{data_interval_start | ds}}&end_date={{data_interval_end | ds}}"
 *   _calculate_stats(input_path="/data/events/{{ds}}.json", output_path="/data/stats/{{ds}}.csv")
 *
 * (here the interval's ISO instants are passed, so any schedule works). The events API is a
 * stand-in started by `fetch_events` on 127.0.0.1 (port 0) for as long as the task runs; it
 * generates the events of each day from a seed derived from the date, so a day's events are
 * always the same (a re-run overwrites its partition with identical data: idempotent).
 *
 * Partitions live in `<tmp>/updraft-examples/user_events/{events,stats}/<ds>.json`
 * (`UPDRAFT_EXAMPLES_DIR` replaces `<tmp>/updraft-examples`): one folder per DAG, not per run,
 * like the book's `/data`, so successive runs add partitions side by side.
 *
 * A manual run (`updraft dags test user_events --logical-date 2024-01-03`) covers the last
 * complete interval before its logical date, as Airflow's `infer_manual_data_interval` does:
 * `[2024-01-02, 2024-01-03)`; scheduled runs have `ds` equal to the interval start.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dag, task } from 'updraft';
import { exampleDir, random, withLocalServer, writeAtomic } from './lib/example-io';

interface UserEvent {
  user: string;
  date: string;
  type: 'view' | 'click' | 'purchase';
}

interface UserCount {
  user: string;
  count: number;
}

const DAY_MS = 86_400_000;
const USERS = ['ada', 'alan', 'barbara', 'edsger', 'grace', 'ken', 'linus', 'margaret'];
const TYPES: UserEvent['type'][] = ['view', 'view', 'view', 'click', 'click', 'purchase'];

/** The events of the UTC day starting at `dayStartMs`: 20–49 of them, the same on every call. */
function eventsOfDay(dayStartMs: number): UserEvent[] {
  const next = random(dayStartMs / DAY_MS);
  const count = 20 + Math.floor(next() * 30);
  const events: UserEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push({
      user: USERS[Math.floor(next() * USERS.length)]!,
      date: new Date(dayStartMs + Math.floor(next() * DAY_MS)).toISOString(),
      type: TYPES[Math.floor(next() * TYPES.length)]!,
    });
  }
  return events.sort((a, b) => a.date.localeCompare(b.date));
}

/** The events with `start <= date < end`, day by day. */
function eventsBetween(startMs: number, endMs: number): UserEvent[] {
  const events: UserEvent[] = [];
  for (let day = Math.floor(startMs / DAY_MS) * DAY_MS; day < endMs; day += DAY_MS) {
    for (const event of eventsOfDay(day)) {
      const at = Date.parse(event.date);
      if (at >= startMs && at < endMs) events.push(event);
    }
  }
  return events;
}

/** Runs `fn` with the events API stand-in: `GET /events?start_date=…&end_date=…` (ISO dates or instants). */
async function withEventsApi<T>(fn: (baseUrl: string) => Promise<T>): Promise<T> {
  return withLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const start = Date.parse(url.searchParams.get('start_date') ?? '');
    const end = Date.parse(url.searchParams.get('end_date') ?? '');
    if (req.method !== 'GET' || url.pathname !== '/events') {
      res.writeHead(404).end();
    } else if (Number.isNaN(start) || Number.isNaN(end) || end < start || end - start > 366 * DAY_MS) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('start_date and end_date: ISO dates, ≤ 1 year');
    } else {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(eventsBetween(start, end)));
    }
  }, fn);
}

const fetchEvents = task(
  { taskId: 'fetch_events', retries: 2, retryDelay: { seconds: 30 } },
  async (ctx): Promise<string> => {
    const target = path.join(exampleDir(ctx.dagId), 'events', `${ctx.ds}.json`);
    const query = new URLSearchParams({ start_date: ctx.dataIntervalStart, end_date: ctx.dataIntervalEnd });
    const events = await withEventsApi(async (api) => {
      const response = await fetch(`${api}/events?${query}`, { signal: ctx.signal });
      if (!response.ok) throw new Error(`GET /events answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as UserEvent[];
    });
    await writeAtomic(target, events);
    ctx.log.info(
      `fetched ${events.length} events of [${ctx.dataIntervalStart}, ${ctx.dataIntervalEnd}) into ${target}`,
    );
    return target;
  },
);

/** The book's `_calculate_stats`: `events.groupby(["user"]).size()` for this interval. */
const calculateStats = task({ taskId: 'calculate_stats' }, async (ctx, eventsPath: string) => {
  const events = JSON.parse(await readFile(eventsPath, 'utf8')) as UserEvent[];
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.user, (counts.get(event.user) ?? 0) + 1);
  const users: UserCount[] = [...counts]
    .map(([user, count]) => ({ user, count }))
    .sort((a, b) => a.user.localeCompare(b.user));
  const target = path.join(exampleDir(ctx.dagId), 'stats', `${ctx.ds}.json`);
  await writeAtomic(target, {
    ds: ctx.ds,
    dataIntervalStart: ctx.dataIntervalStart,
    dataIntervalEnd: ctx.dataIntervalEnd,
    totalEvents: events.length,
    users,
  });
  ctx.log.info(`${events.length} events by ${users.length} users for ${ctx.ds}; stats in ${target}`);
  return { path: target, totalEvents: events.length, users: users.length };
});

export default dag(
  {
    dagId: 'user_events',
    description: 'Daily incremental load of user events with per-user stats (the book, chapter 3)',
    tags: ['example', 'book'],
    schedule: '@daily',
    startDate: '2024-01-01',
    catchup: false,
  },
  () => {
    calculateStats(fetchEvents());
  },
);
