import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dagsTest, statesOf, useExamplesDir } from './dags-test-harness';

const examplesDir = useExamplesDir();

describe('wikipedia_pageviews (chapter 4)', () => {
  const sql = (counts: [string, number][], ts: string) =>
    counts
      .map(([page, views]) => `INSERT INTO pageview_counts VALUES ('${page}', ${views}, '${ts}');\n`)
      .join('');

  it('downloads the dump of the logical hour by a templated URL, extracts it and writes the inserts', async () => {
    const { json, logs, dir } = await dagsTest(
      'wikipedia_pageviews',
      '--logical-date',
      '2024-01-01T10:00:00Z',
    );
    expect(statesOf(json)).toEqual({
      stage_local_mirror: 'success',
      get_data: 'success',
      extract_gz: 'success',
      fetch_pageviews: 'success',
    });
    // curl found the dump where the template put it: <year>/<year-month>/pageviews-<ymd>-<hour>0000.gz.
    const mirrored = path.join(
      examplesDir(),
      'wikipedia_pageviews/mirror/2024/2024-01/pageviews-20240101-100000.gz',
    );
    const downloaded = path.join(dir, '2024-01-01', 'wikipageviews-10.gz');
    expect(await readFile(downloaded)).toEqual(await readFile(mirrored));
    const dump = await readFile(path.join(dir, '2024-01-01', 'wikipageviews-10'), 'utf8');
    expect(dump).toBe(gunzipSync(await readFile(mirrored)).toString('utf8'));
    expect(dump.split('\n').length).toBeGreaterThan(500);

    const ts = '2024-01-01T10:00:00+00:00';
    const expected: [string, number][] = [
      ['Google', 877],
      ['Amazon', 1530],
      ['Apple', 1463],
      ['Microsoft', 0],
      ['Facebook', 0],
    ];
    expect(await readFile(path.join(dir, '2024-01-01', 'postgres_query.sql'), 'utf8')).toBe(
      sql(expected, ts),
    );
    // The counts are the `en` lines of the dump (other domains and en.m do not count; absent is 0).
    for (const [page, views] of expected) {
      const line = dump.split('\n').find((l) => l.startsWith(`en ${page} `));
      expect(line ? Number(line.split(' ')[2]) : 0).toBe(views);
    }
    expect(dump).toMatch(/^en\.m Microsoft \d+ 0$/m);
    expect(logs).toContain(
      `[fetch_pageviews #1] views at ${ts}: {"Google":877,"Amazon":1530,"Apple":1463,"Microsoft":0,"Facebook":0}`,
    );

    // The same hour again (a re-run over the files of the first): the same statements.
    const again = await dagsTest('wikipedia_pageviews', '--logical-date', '2024-01-01T10:00:00Z');
    expect(again.dir).toBe(dir);
    expect(await readFile(path.join(dir, '2024-01-01', 'postgres_query.sql'), 'utf8')).toBe(
      sql(expected, ts),
    );
  }, 60_000);

  it('takes base_url and pages from the conf: another mirror, other pages, another hour', async () => {
    const mirror = path.join(examplesDir(), 'other-mirror');
    await mkdir(path.join(mirror, '2024/2024-03'), { recursive: true });
    const lines = [
      'de Google 100 0',
      "en Don't_Panic 3 0",
      'en Google 7 0',
      'en Main_Page 12345 0',
      'en.m Google 9 0',
    ];
    await writeFile(
      path.join(mirror, '2024/2024-03/pageviews-20240305-230000.gz'),
      gzipSync(`${lines.join('\n')}\n`),
    );
    const conf = {
      base_url: pathToFileURL(mirror).href,
      pages: ['Google', 'Main_Page', "Don't_Panic", 'Nobody'],
    };
    const { dir } = await dagsTest(
      'wikipedia_pageviews',
      '--logical-date',
      '2024-03-05T23:00:00Z',
      '--conf',
      JSON.stringify(conf),
    );
    const ts = '2024-03-05T23:00:00+00:00';
    expect(await readFile(path.join(dir, '2024-03-05', 'postgres_query.sql'), 'utf8')).toBe(
      // Quotes in titles are doubled: a page name cannot end the SQL string.
      sql(
        [
          ['Google', 7],
          ['Main_Page', 12345],
          ["Don''t_Panic", 3],
          ['Nobody', 0],
        ],
        ts,
      ),
    );
  }, 60_000);
});
