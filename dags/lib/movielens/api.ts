/**
 * A stand-in for the book's MovieLens ratings API (chapter 8): `GET /ratings?start_date=…&end_date=…
 * &offset=…&limit=…` behind basic auth, answering `{ result, offset, limit, total }` with the ratings
 * whose timestamp is in `[start_date, end_date)`, oldest first. Ratings are generated per day from a
 * seed derived from the date, and only for time that has passed (a day still going has only part of
 * its ratings, a future day none), so a sensor has something to wait for.
 */
import type { RequestListener } from 'node:http';
import movies from '../../fixtures/movielens-movies.json';
import { random } from '../example-io';

/** One rating, as the API answers it (`timestamp` in epoch seconds, like MovieLens). */
export interface Rating {
  userId: number;
  movieId: number;
  rating: number;
  timestamp: number;
}

/** One page of `GET /ratings`. */
export interface RatingsPage {
  result: Rating[];
  offset: number;
  limit: number;
  total: number;
}

/** The credentials the book's API runs with (`airflow`/`airflow`); the stand-in checks them. */
export const STAND_IN_LOGIN = { login: 'airflow', password: 'airflow' };

const DAY_MS = 86_400_000;
const MAX_LIMIT = 1000;

/** How much a movie is liked, 2–4.5: fixed per movie, so rankings are stable from day to day. */
const appeal = new Map(movies.map((m) => [m.movieId, 2 + random(m.movieId)() * 2.5]));

/** The ratings given during the UTC day starting at `dayMs`: 25–54 of them. */
function ratingsOfDay(dayMs: number): Rating[] {
  const next = random(dayMs / DAY_MS + 1_000_003);
  const count = 25 + Math.floor(next() * 30);
  return Array.from({ length: count }, () => {
    const movie = movies[Math.floor(next() * movies.length)]!;
    const raw = appeal.get(movie.movieId)! + (next() - 0.5) * 2;
    return {
      userId: 1 + Math.floor(next() * 600),
      movieId: movie.movieId,
      rating: Math.min(5, Math.max(0.5, Math.round(raw * 2) / 2)),
      timestamp: Math.floor((dayMs + next() * DAY_MS) / 1000),
    };
  }).sort((a, b) => a.timestamp - b.timestamp || a.userId - b.userId);
}

/** The ratings with `startMs <= timestamp < min(endMs, nowMs)`, oldest first. */
export function ratingsBetween(startMs: number, endMs: number, nowMs = Date.now()): Rating[] {
  const until = Math.min(endMs, nowMs);
  const ratings: Rating[] = [];
  for (let day = Math.floor(startMs / DAY_MS) * DAY_MS; day < until; day += DAY_MS) {
    for (const r of ratingsOfDay(day))
      if (r.timestamp * 1000 >= startMs && r.timestamp * 1000 < until) ratings.push(r);
  }
  return ratings;
}

/** Titles of the movies the stand-in knows, by id. */
export const movieTitles: ReadonlyMap<number, string> = new Map(movies.map((m) => [m.movieId, m.title]));

/** The request handler of the stand-in API; `credentials` are what basic auth must match. */
export function ratingsApi(credentials = STAND_IN_LOGIN): RequestListener {
  const expected = `Basic ${Buffer.from(`${credentials.login}:${credentials.password}`).toString('base64')}`;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET' || url.pathname !== '/ratings') return json(404, { error: 'not found' });
    if (req.headers.authorization !== expected) return json(401, { error: 'unauthorized' });
    const start = Date.parse(url.searchParams.get('start_date') ?? '');
    const end = Date.parse(url.searchParams.get('end_date') ?? '');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    if (Number.isNaN(start) || Number.isNaN(end) || end < start || end - start > 366 * DAY_MS)
      return json(400, { error: 'start_date and end_date: ISO dates, at most a year apart' });
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return json(400, { error: `offset ≥ 0 and 1 ≤ limit ≤ ${MAX_LIMIT}` });
    const all = ratingsBetween(start, end);
    const page: RatingsPage = { result: all.slice(offset, offset + limit), offset, limit, total: all.length };
    return json(200, page);
  };
}
