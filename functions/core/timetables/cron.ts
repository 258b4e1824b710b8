import { CronExpressionParser } from 'cron-parser';
import { resolvePreset } from './cron-expression';
import { instantOfNaive, naiveAt } from './zone';

/**
 * Airflow's `CronMixin` (airflow/timetables/_cron.py, 2.8–2.10): croniter iterates naive wall-clock
 * times in the DAG's zone, and the result is made aware again. Here cron-parser iterates in UTC
 * over naive readings (epoch ms of the wall clock taken as UTC), which is what croniter does.
 */
export interface CronSteps {
  /** First cron point strictly after `utcMs` (Airflow's `_get_next`). */
  next(utcMs: number): number;
  /** Last cron point strictly before `utcMs` (Airflow's `_get_prev`); DST gaps can make it equal. */
  prev(utcMs: number): number;
  /** `utcMs` when it is a cron point, else the next one (Airflow's `_align_to_next`). */
  alignToNext(utcMs: number): number;
  /** `utcMs` when it is a cron point, else the previous one (Airflow's `_align_to_prev`). */
  alignToPrev(utcMs: number): number;
}

function parse(cron: string, naiveMs: number) {
  // Always pass currentDate and tz: without them cron-parser reads the clock and the host zone.
  return CronExpressionParser.parse(cron, { currentDate: new Date(naiveMs), tz: 'UTC' });
}

/**
 * Whether the hour field covers all 24 hours (croniter normalizes it to `*`): Airflow's
 * `_covers_every_hour`, which since 2.8 (apache/airflow#35887) replaced `_should_fix_dst`.
 */
export function coversEveryHour(expression: string): boolean {
  return parse(resolvePreset(expression), 0).fields.hour.values.length === 24;
}

/** Cron stepping in `zone` with Airflow's DST handling. */
export function cronSteps(expression: string, zone: string): CronSteps {
  const cron = resolvePreset(expression);
  // Schedules that fire every hour keep their absolute spacing across DST (run the folded hour
  // twice, skip nothing); the others land on their wall-clock time, made aware with fold=1.
  const keepSpacing = coversEveryHour(cron);
  const step = (utcMs: number, direction: 'next' | 'prev'): number => {
    const naive = naiveAt(utcMs, zone);
    const iterator = parse(cron, naive);
    const scheduled = (direction === 'next' ? iterator.next() : iterator.prev()).getTime();
    return keepSpacing ? utcMs + (scheduled - naive) : instantOfNaive(scheduled, zone);
  };
  const next = (utcMs: number) => step(utcMs, 'next');
  const prev = (utcMs: number) => step(utcMs, 'prev');
  return {
    next,
    prev,
    alignToNext: (utcMs) => {
      const candidate = next(utcMs);
      return prev(candidate) === utcMs ? utcMs : candidate;
    },
    alignToPrev: (utcMs) => {
      const candidate = prev(utcMs);
      return next(candidate) === utcMs ? utcMs : candidate;
    },
  };
}
