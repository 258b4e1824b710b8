/**
 * Chapter 4 of *Data Pipelines with Apache Airflow*: StockSense. Every hour, download Wikipedia's
 * pageviews dump of that hour, extract it, keep the views of a few company pages and write them as
 * SQL insert statements (the book's `postgres_query.sql`).
 *
 * As in the book, the download and the extraction are templated bash commands: the URL and the
 * file names are built from the logical date (`{{ logical_date.year }}`,
 * `{{ logical_date.strftime('%Y-%m') }}`, `{{ ds }}`) and the params (`{{ params.base_url }}`),
 * and rendered just before the task runs (`updraft runs show … --rendered` shows them).
 *
 * Offline: `params.base_url` is null by default, and the URL then points at a local mirror of
 * `dumps.wikimedia.org/other/pageviews` that `stage_local_mirror` fills with a generated dump of
 * the run's hour (`lib/pageviews-dump.ts`: the real format, deterministic counts) and `curl`
 * fetches as a `file://` URL. Pass `{"base_url": "https://dumps.wikimedia.org/other/pageviews"}`
 * as conf to download the real dump. The book's last task loads the file into Postgres; here the
 * SQL file and the counts (XCom) are the result.
 *
 * The bash tasks need `curl` and `gunzip`: Lambda's nodejs22.x image (Amazon Linux 2023) has
 * `curl-minimal` (http, https and file URLs) and `gzip`.
 *
 * Files go to `<tmp>/updraft-examples/wikipedia_pageviews/<runId>` (`UPDRAFT_EXAMPLES_DIR`
 * replaces `<tmp>/updraft-examples`); every task overwrites what it wrote, so retries and clears
 * give the same result (`gunzip --keep` leaves the download for a re-run of `extract_gz`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bash, dag, NonRetryableTaskError, task } from 'updraft';
import { exampleDir, writeAtomic } from './lib/example-io';
import { dumpName, pageviewsGz } from './lib/pageviews-dump';

const PAGES = ['Google', 'Amazon', 'Apple', 'Microsoft', 'Facebook'];

/** The mirror of `dumps.wikimedia.org/other/pageviews` on this machine, shared by all runs. */
const mirrorDir = () => path.join(exampleDir('wikipedia_pageviews'), 'mirror');

/** Puts the generated dump of the run's hour where the real one would be, `<year>/<year-month>/<name>.gz`. */
const stageLocalMirror = task({ taskId: 'stage_local_mirror' }, async (ctx) => {
  const month = ctx.logicalDate.slice(0, 7);
  const file = path.join(mirrorDir(), month.slice(0, 4), month, `${dumpName(ctx.logicalDate)}.gz`);
  await writeAtomic(file, pageviewsGz(ctx.logicalDate));
  ctx.log.info(`staged ${file}`);
  return {
    base_url: pathToFileURL(mirrorDir()).href,
    work_dir: exampleDir(ctx.dagId, ctx.runId),
  };
});

/** The book's `get_data`: the dump of the logical date's hour. The last stdout line (its path) is the XCom. */
const getData = () =>
  bash({
    taskId: 'get_data',
    retries: 2,
    retryDelay: { seconds: 10 },
    env: { WORK_DIR: "{{ ti.xcom_pull(task_ids='stage_local_mirror').work_dir }}" },
    command: [
      `OUT="$WORK_DIR/{{ ds }}/wikipageviews-{{ logical_date.strftime('%H') }}.gz"`,
      `&& curl --fail --silent --show-error --location --create-dirs -o "$OUT"`,
      `"{{ params.base_url or ti.xcom_pull(task_ids='stage_local_mirror').base_url }}/{{ logical_date.year }}/{{ logical_date.strftime('%Y-%m') }}/pageviews-{{ logical_date.strftime('%Y%m%d-%H') }}0000.gz"`,
      '&& echo "$OUT"',
    ].join(' '),
  });

/** The book's `extract_gz` (`gunzip --force`), keeping the download so a cleared task can run again. */
const extractGz = () =>
  bash({
    taskId: 'extract_gz',
    env: { GZ: "{{ ti.xcom_pull(task_ids='get_data') }}" },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion (strip .gz), not a JS template
    command: 'gunzip --force --keep "$GZ" && echo "${GZ%.gz}"',
  });

/** SQL string literal: quotes doubled, so a page title cannot end the statement. */
const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The book's `_fetch_pageviews`: views of each page on `en` (0 when absent), as insert statements. */
const fetchPageviews = task({ taskId: 'fetch_pageviews' }, async (ctx, dumpPath: string) => {
  const pages = ctx.params.pages;
  if (!Array.isArray(pages) || !pages.every((p) => typeof p === 'string'))
    throw new NonRetryableTaskError(
      `params.pages must be a list of page titles, got ${JSON.stringify(pages)}`,
    );
  const counts: Record<string, number> = Object.fromEntries(pages.map((p) => [p, 0]));
  for (const line of (await readFile(dumpPath, 'utf8')).split('\n')) {
    const [domain, title, views] = line.split(' ');
    if (domain === 'en' && title !== undefined && title in counts) counts[title] = Number(views);
  }
  const sql = Object.entries(counts)
    .map(([page, views]) => `INSERT INTO pageview_counts VALUES (${sqlString(page)}, ${views}, '${ctx.ts}');`)
    .join('\n');
  const target = await writeAtomic(path.join(path.dirname(dumpPath), 'postgres_query.sql'), `${sql}\n`);
  ctx.log.info(`views at ${ctx.ts}: ${JSON.stringify(counts)}; statements in ${target}`);
  return { path: target, counts };
});

export default dag(
  {
    dagId: 'wikipedia_pageviews',
    description: 'Hourly Wikipedia pageviews of a few companies as SQL inserts (the book, chapter 4)',
    tags: ['example', 'book'],
    schedule: '@hourly',
    startDate: '2024-01-01',
    catchup: false,
    params: { pages: PAGES, base_url: null },
  },
  () => {
    const mirror = stageLocalMirror();
    const download = getData();
    mirror.then(download);
    const extracted = extractGz();
    download.then(extracted);
    fetchPageviews(extracted);
  },
);
