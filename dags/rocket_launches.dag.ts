/**
 * Chapter 2 of *Data Pipelines with Apache Airflow*: download the upcoming rocket launches, fetch
 * a picture of each rocket, and report how many pictures there are.
 *
 * The book calls the Launch Library 2 API (`https://ll.thespacedevs.com/2.0.0/launch/upcoming`).
 * Offline, each task that needs the API starts a stand-in on 127.0.0.1 (port 0) for as long as it
 * runs, serving the bundled fixtures `fixtures/launches.json` and `fixtures/launch-images.json`
 * over real HTTP: the tasks use `fetch` exactly as they would against the real API.
 *
 * Files go to a per-run working directory, `<tmp>/updraft-examples/rocket_launches/<runId>`
 * (`UPDRAFT_EXAMPLES_DIR` replaces `<tmp>/updraft-examples`); only paths and counts cross task
 * boundaries as XComs. Every task overwrites what it wrote before, so a retry or a cleared task
 * gives the same result.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { dag, task } from 'updraft';
import launchImages from './fixtures/launch-images.json';
import upcomingLaunches from './fixtures/launches.json';
import { exampleDir, withLocalServer, writeAtomic } from './lib/example-io';

const LAUNCHES_PATH = '/2.0.0/launch/upcoming/';

interface Launch {
  id: string;
  name: string;
  image: string | null;
}

interface FixtureImage {
  contentType: string;
  encoding: 'utf8' | 'base64';
  body: string;
}

/**
 * Runs `fn` with a Launch Library stand-in listening on 127.0.0.1: `GET /2.0.0/launch/upcoming/`
 * answers the fixture with absolute image URLs (as the real API does), `GET /media/…` the images.
 */
async function withLaunchLibrary<T>(fn: (baseUrl: string) => Promise<T>): Promise<T> {
  const images = launchImages as Record<string, FixtureImage>;
  return withLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === LAUNCHES_PATH) {
      const base = `http://${req.headers.host}`;
      const body = {
        ...upcomingLaunches,
        results: upcomingLaunches.results.map((l) => ({ ...l, image: l.image && `${base}${l.image}` })),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const image = req.method === 'GET' ? images[url.pathname] : undefined;
    if (image) {
      res.writeHead(200, { 'content-type': image.contentType }).end(Buffer.from(image.body, image.encoding));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found."}');
  }, fn);
}

/** `curl -o /tmp/launches.json -L 'https://ll.thespacedevs.com/2.0.0/launch/upcoming'` */
const downloadLaunches = task(
  { taskId: 'download_launches', retries: 1, retryDelay: { seconds: 10 } },
  async (ctx): Promise<string> => {
    const target = path.join(exampleDir(ctx.dagId, ctx.runId), 'launches.json');
    const launches = await withLaunchLibrary(async (api) => {
      const response = await fetch(`${api}${LAUNCHES_PATH}`, { signal: ctx.signal });
      if (!response.ok) throw new Error(`GET ${LAUNCHES_PATH} answered ${response.status}`);
      const text = await response.text();
      const parsed = JSON.parse(text) as { results: Launch[] };
      await writeAtomic(target, text);
      return parsed.results;
    });
    ctx.log.info(`downloaded ${launches.length} launches to ${target}`);
    return target;
  },
);

/** The book's `_get_pictures`: one file per image URL in `images/`, failures logged and skipped. */
const getPictures = task(
  { taskId: 'get_pictures', retries: 1, retryDelay: { seconds: 10 } },
  async (ctx, launchesPath: string): Promise<number> => {
    const { results } = JSON.parse(await readFile(launchesPath, 'utf8')) as { results: Launch[] };
    const imagesDir = path.join(path.dirname(launchesPath), 'images');
    await mkdir(imagesDir, { recursive: true });
    const saved = new Set<string>();
    await withLaunchLibrary(async (api) => {
      for (const launch of results) {
        if (!launch.image) {
          ctx.log.info(`${launch.name} has no image`);
          continue;
        }
        // The stand-in API lived only as long as the task that downloaded the list; ask this
        // task's instance for the same path.
        const source = new URL(launch.image);
        const url = new URL(`${source.pathname}${source.search}`, api);
        const response = await fetch(url, { signal: ctx.signal });
        if (!response.ok) {
          ctx.log.warn(`could not download ${source.pathname}: HTTP ${response.status}`);
          continue;
        }
        const filename = path.posix.basename(source.pathname);
        await writeAtomic(path.join(imagesDir, filename), new Uint8Array(await response.arrayBuffer()));
        saved.add(filename);
        ctx.log.info(`downloaded ${source.pathname} to ${path.join(imagesDir, filename)}`);
      }
    });
    return saved.size;
  },
);

/** `echo "There are now $(ls /tmp/images/ | wc -l) images."` */
const notify = task({ taskId: 'notify' }, async (ctx, launchesPath: string, downloaded: number) => {
  const files = await readdir(path.join(path.dirname(launchesPath), 'images'));
  const images = files.filter((f) => !f.endsWith('.partial'));
  ctx.log.info(`get_pictures saved ${downloaded} distinct images`);
  ctx.log.info(`There are now ${images.length} images.`);
  return images.length;
});

export default dag(
  {
    dagId: 'rocket_launches',
    description: 'Download upcoming rocket launches and their pictures (the book, chapter 2)',
    tags: ['example', 'book'],
    schedule: null,
  },
  () => {
    const launches = downloadLaunches();
    notify(launches, getPictures(launches));
  },
);
