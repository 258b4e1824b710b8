/**
 * The book's custom components (chapter 8): `MovielensFetchRatingsOperator` and
 * `MovielensRatingsSensor`. Each is the SDK's `task`/`sensor` with the work filled in, called
 * inside a DAG like a built-in operator (`bash`, `http`): `movielensRatings({ taskId: 'fetch_ratings' })`
 * adds the task and returns its reference.
 * Both cover the run's data interval (the book templates `{{ data_interval_start | ds }}` and
 * `{{ data_interval_end | ds }}` into them).
 */
import path from 'node:path';
import { type SensorOptions, sensor, type TaskOptions, type TaskRef, task } from 'updraft';
import { exampleDir, writeAtomic } from '../example-io';
import { MOVIELENS_CONN_ID, withMovielensHook } from './hook';

/** What the fetch operator and the sensor add to the SDK's options. */
export interface MovielensOptions {
  /** Connection of the ratings API. Default `movielens`. */
  connId?: string;
  /** Ratings per API request. Default 100. */
  batchSize?: number;
}

/**
 * The book's `MovielensFetchRatingsOperator`: writes the interval's ratings as JSON to
 * `<example dir>/<runId>/ratings/<ds>.json` and returns that path. Rewrites the whole file on
 * every try, so a retry or a clear gives the same file.
 */
export function movielensRatings(options: TaskOptions & MovielensOptions): TaskRef<string> {
  const { connId = MOVIELENS_CONN_ID, batchSize = 100, ...taskOptions } = options;
  return task(taskOptions, async (ctx): Promise<string> => {
    const { dataIntervalStart: start, dataIntervalEnd: end } = ctx;
    const ratings = await withMovielensHook(ctx, connId, async (hook) => {
      const all = [];
      for await (const rating of hook.getRatings(start, end, batchSize)) all.push(rating);
      return all;
    });
    const target = path.join(exampleDir(ctx.dagId, ctx.runId), 'ratings', `${ctx.ds}.json`);
    await writeAtomic(target, ratings);
    ctx.log.info(`fetched ${ratings.length} ratings of [${start}, ${end}) into ${target}`);
    return target;
  })();
}

/**
 * The book's `MovielensRatingsSensor`: done once the API has at least one rating in the data
 * interval (one rating is asked for, not all). Reschedule mode by default: nothing runs between pokes.
 */
export function movielensRatingsSensor(
  options: SensorOptions & Pick<MovielensOptions, 'connId'>,
): TaskRef<unknown> {
  const { connId = MOVIELENS_CONN_ID, ...sensorOptions } = options;
  return sensor(sensorOptions, (ctx) =>
    withMovielensHook(ctx, connId, async (hook) => {
      const first = await hook.getRatings(ctx.dataIntervalStart, ctx.dataIntervalEnd, 1).next();
      ctx.log.info(
        first.done
          ? `no ratings yet in [${ctx.dataIntervalStart}, ${ctx.dataIntervalEnd})`
          : `ratings found in [${ctx.dataIntervalStart}, ${ctx.dataIntervalEnd})`,
      );
      return !first.done;
    }),
  )();
}
