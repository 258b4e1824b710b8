import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratingsApi } from '../../../dags/lib/movielens/api';
import { dagsTest, readJson, statesOf, useExamplesDir } from './dags-test-harness';

useExamplesDir();

describe('movielens (chapter 8)', () => {
  interface Rating {
    userId: number;
    movieId: number;
    rating: number;
    timestamp: number;
  }
  interface Ranked {
    rank: number;
    movieId: number;
    title: string;
    avgRating: number;
    numRatings: number;
  }

  /** The ranking recomputed here from the ratings file: average per movie, ≥ 2 ratings. */
  function recount(ratings: Rating[]) {
    const byMovie = new Map<number, number[]>();
    for (const r of ratings) byMovie.set(r.movieId, [...(byMovie.get(r.movieId) ?? []), r.rating]);
    return [...byMovie]
      .filter(([, values]) => values.length >= 2)
      .map(([movieId, values]) => ({
        movieId,
        avg: values.reduce((a, b) => a + b, 0) / values.length,
        n: values.length,
      }));
  }

  async function expectRatingsAndRanking(dir: string) {
    const ratings = await readJson<Rating[]>(path.join(dir, 'ratings', '2024-01-03.json'));
    // A manual run for 2024-01-03 covers the day before, oldest first.
    expect(ratings).toHaveLength(38);
    const start = Date.parse('2024-01-02T00:00:00Z') / 1000;
    expect(ratings.every((r) => r.timestamp >= start && r.timestamp < start + 86_400)).toBe(true);
    expect(ratings.map((r) => r.timestamp)).toEqual(
      [...ratings.map((r) => r.timestamp)].sort((a, b) => a - b),
    );

    const ranking = await readJson<Ranked[]>(path.join(dir, 'rankings', '2024-01-03.json'));
    expect(ranking.slice(0, 5)).toEqual([
      {
        rank: 1,
        movieId: 260,
        title: 'Star Wars: Episode IV - A New Hope (1977)',
        avgRating: 4.5,
        numRatings: 2,
      },
      { rank: 2, movieId: 47, title: 'Seven (a.k.a. Se7en) (1995)', avgRating: 4, numRatings: 5 },
      { rank: 3, movieId: 2, title: 'Jumanji (1995)', avgRating: 3.5, numRatings: 4 },
      { rank: 4, movieId: 1, title: 'Toy Story (1995)', avgRating: 3.5, numRatings: 2 },
      { rank: 5, movieId: 50, title: 'Usual Suspects, The (1995)', avgRating: 3.33, numRatings: 3 },
    ]);
    const expected = recount(ratings);
    expect(ranking).toHaveLength(expected.length);
    for (const movie of ranking) {
      const mine = expected.find((e) => e.movieId === movie.movieId)!;
      expect(movie.numRatings).toBe(mine.n);
      expect(movie.avgRating).toBeCloseTo(mine.avg, 2);
    }
    expect(ranking.map((m) => m.avgRating)).toEqual(
      [...ranking.map((m) => m.avgRating)].sort((a, b) => b - a),
    );
    return ratings;
  }

  it('without the connection: the hook serves the bundled stand-in; sensor, paged fetch and ranking', async () => {
    const { json, logs, dir } = await dagsTest('movielens', '--logical-date', '2024-01-03T00:00:00Z');
    expect(statesOf(json)).toEqual({
      wait_for_ratings: 'success',
      fetch_ratings: 'success',
      rank_movies: 'success',
    });
    expect(logs).toMatch(
      /\[wait_for_ratings #1\] connection "movielens" is not configured: using the bundled stand-in at http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(logs).toContain(
      '[wait_for_ratings #1] ratings found in [2024-01-02T00:00:00.000Z, 2024-01-03T00:00:00.000Z)',
    );
    await expectRatingsAndRanking(dir);
    expect(logs).toContain(
      '[rank_movies #1] best of 2024-01-03: Star Wars: Episode IV - A New Hope (1977) (4.5 from 2 ratings)',
    );
  }, 60_000);

  it('with connection movielens: the hook uses its host and credentials, page by page', async () => {
    const api = ratingsApi({ login: 'reader', password: 'pw-Secret-42' });
    const requests: { offset: string | null; limit: string | null; authorized: boolean }[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({
        offset: url.searchParams.get('offset'),
        limit: url.searchParams.get('limit'),
        authorized:
          req.headers.authorization === `Basic ${Buffer.from('reader:pw-Secret-42').toString('base64')}`,
      });
      api(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    process.env.UPDRAFT_CONN_MOVIELENS = `http://reader:pw-Secret-42@127.0.0.1:${port}`;
    try {
      const { json, logs, dir } = await dagsTest('movielens', '--logical-date', '2024-01-03T00:00:00Z');
      expect(json.state).toBe('success');
      expect(logs).not.toContain('not configured');
      expect(logs).not.toContain('pw-Secret-42');
      // The sensor asks for one rating; the operator pages through 38 ratings 10 at a time.
      expect(requests).toEqual([
        { offset: '0', limit: '1', authorized: true },
        ...['0', '10', '20', '30'].map((offset) => ({ offset, limit: '10', authorized: true })),
      ]);
      await expectRatingsAndRanking(dir);
    } finally {
      delete process.env.UPDRAFT_CONN_MOVIELENS;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
