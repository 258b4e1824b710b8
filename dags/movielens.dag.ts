/**
 * Chapter 8 of *Data Pipelines with Apache Airflow*: custom components. Every day, wait until the
 * MovieLens ratings API has ratings for the day, fetch them all (page by page), and rank the
 * movies by their average rating.
 *
 * The book packages a hook (`MovielensHook`), an operator (`MovielensFetchRatingsOperator`) and
 * a sensor (`MovielensRatingsSensor`) in a Python package; here they are TypeScript modules in
 * `lib/movielens/` that this file imports, and esbuild bundles them with it. The hook reads
 * connection `movielens` (`ctx.connection`); when it is not configured it serves the bundled
 * stand-in API (generated ratings, the book's basic auth) on 127.0.0.1 for as long as a task
 * runs, so the example needs no network.
 *
 * Files go to `<tmp>/updraft-examples/movielens/<runId>` (`UPDRAFT_EXAMPLES_DIR` replaces
 * `<tmp>/updraft-examples`); each task rewrites its files, so retries and clears are idempotent.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dag, task } from 'updraft';
import { writeAtomic } from './lib/example-io';
import { movieTitles, type Rating } from './lib/movielens/api';
import { movielensRatings, movielensRatingsSensor } from './lib/movielens/operators';

/** Movies with fewer ratings than this are not ranked (the book's `min_ratings`). */
const MIN_RATINGS = 2;

/** One line of the ranking. */
interface RankedMovie {
  rank: number;
  movieId: number;
  title: string;
  avgRating: number;
  numRatings: number;
}

/** The book's `rank_movies_by_rating`: average rating per movie, best first (ties: more ratings first). */
function rankMovies(ratings: readonly Rating[]): RankedMovie[] {
  const byMovie = new Map<number, number[]>();
  for (const r of ratings) byMovie.set(r.movieId, [...(byMovie.get(r.movieId) ?? []), r.rating]);
  return [...byMovie]
    .filter(([, values]) => values.length >= MIN_RATINGS)
    .map(([movieId, values]) => ({
      movieId,
      title: movieTitles.get(movieId) ?? `movie ${movieId}`,
      avgRating: Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100,
      numRatings: values.length,
    }))
    .sort((a, b) => b.avgRating - a.avgRating || b.numRatings - a.numRatings || a.movieId - b.movieId)
    .map((movie, i) => ({ rank: i + 1, ...movie }));
}

const rank = task({ taskId: 'rank_movies' }, async (ctx, ratingsPath: string) => {
  const ratings = JSON.parse(await readFile(ratingsPath, 'utf8')) as Rating[];
  const ranking = rankMovies(ratings);
  const target = await writeAtomic(
    path.join(path.dirname(ratingsPath), '..', 'rankings', `${ctx.ds}.json`),
    ranking,
  );
  ctx.log.info(`ranked ${ranking.length} movies from ${ratings.length} ratings into ${target}`);
  const top = ranking[0];
  if (top) ctx.log.info(`best of ${ctx.ds}: ${top.title} (${top.avgRating} from ${top.numRatings} ratings)`);
  // The top five as XCom; the whole ranking is in the file.
  return ranking.slice(0, 5);
});

export default dag(
  {
    dagId: 'movielens',
    description: 'Rank movies by daily ratings with a custom hook, operator and sensor (the book, chapter 8)',
    tags: ['example', 'book'],
    schedule: '@daily',
    startDate: '2024-01-01',
    catchup: false,
  },
  () => {
    // A few seconds between pokes so a local run that has to wait does not wait long; in
    // production a daily feed would use minutes (each poke is a Lambda invocation).
    const ready = movielensRatingsSensor({
      taskId: 'wait_for_ratings',
      pokeIntervalSeconds: 5,
      timeoutSeconds: 3600,
    });
    // Pages of 10 (the book's default is 100), so a day's ratings take a few requests.
    const ratings = movielensRatings({
      taskId: 'fetch_ratings',
      batchSize: 10,
      retries: 2,
      retryDelay: { seconds: 10 },
    });
    ready.then(ratings);
    rank(ratings);
  },
);
