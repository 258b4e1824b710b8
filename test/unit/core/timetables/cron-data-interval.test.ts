import { describe, expect, it } from 'vitest';
import {
  type DataInterval,
  type TimeRestriction,
  timetableFor,
  upcomingRuns,
} from '../../../../functions/core/timetables';
import { interval, utc } from './helpers';

interface Case {
  name: string;
  cron: string;
  zone?: string;
  start?: string;
  end?: string;
  catchup: boolean;
  now: string;
  last?: [string, string];
  count?: number;
  runs: [string, string][];
}

// Expected intervals come from Airflow 2.8–2.10 interval.py/_cron.py as read, worked by hand:
// fixed-time crons land on their wall-clock time (gap → shifted forward, fold → second occurrence);
// crons whose hour field is `*` keep absolute spacing.
const cases: Case[] = [
  // --- catchup=true: first run at the first cron point at or after the start date
  {
    name: 'ACCEPTANCE 0 2 * * * Amsterdam from 28 March, 4th run crosses into CEST',
    cron: '0 2 * * *',
    zone: 'Europe/Amsterdam',
    start: '2024-03-27T23:00Z', // 2024-03-28 00:00 CET
    catchup: true,
    now: '2024-03-31T12:00Z',
    count: 5,
    runs: [
      ['2024-03-28T01:00Z', '2024-03-29T01:00Z'],
      ['2024-03-29T01:00Z', '2024-03-30T01:00Z'],
      // 31 March 02:00 does not exist: read with CET it is 01:00Z (03:00 CEST).
      ['2024-03-30T01:00Z', '2024-03-31T01:00Z'],
      ['2024-03-31T01:00Z', '2024-04-01T00:00Z'], // 23 hours, ends 02:00 CEST
      ['2024-04-01T00:00Z', '2024-04-02T00:00Z'],
    ],
  },
  {
    name: '@daily UTC, start on a boundary is the first interval start',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    catchup: true,
    now: '2024-01-05T12:00Z',
    count: 2,
    runs: [
      ['2024-01-01T00:00Z', '2024-01-02T00:00Z'],
      ['2024-01-02T00:00Z', '2024-01-03T00:00Z'],
    ],
  },
  {
    name: '@daily UTC, start between boundaries aligns to the next midnight',
    cron: '@daily',
    start: '2024-01-01T09:30Z',
    catchup: true,
    now: '2024-01-05T12:00Z',
    count: 1,
    runs: [['2024-01-02T00:00Z', '2024-01-03T00:00Z']],
  },
  {
    name: '@hourly UTC catchup from a start on the hour',
    cron: '@hourly',
    start: '2024-01-01T10:00Z',
    catchup: true,
    now: '2024-01-02T00:00Z',
    count: 2,
    runs: [
      ['2024-01-01T10:00Z', '2024-01-01T11:00Z'],
      ['2024-01-01T11:00Z', '2024-01-01T12:00Z'],
    ],
  },
  {
    name: '@weekly (Sunday) from a Monday start',
    cron: '@weekly',
    start: '2024-01-01T00:00Z',
    catchup: true,
    now: '2024-02-01T00:00Z',
    count: 2,
    runs: [
      ['2024-01-07T00:00Z', '2024-01-14T00:00Z'],
      ['2024-01-14T00:00Z', '2024-01-21T00:00Z'],
    ],
  },
  {
    name: '@monthly from mid-January',
    cron: '@monthly',
    start: '2024-01-15T00:00Z',
    catchup: true,
    now: '2024-06-01T00:00Z',
    count: 2,
    runs: [
      ['2024-02-01T00:00Z', '2024-03-01T00:00Z'],
      ['2024-03-01T00:00Z', '2024-04-01T00:00Z'],
    ],
  },
  {
    name: 'subsequent run continues from the last interval end',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    catchup: true,
    now: '2024-01-20T00:00Z',
    last: ['2024-01-09T00:00Z', '2024-01-10T00:00Z'],
    count: 1,
    runs: [['2024-01-10T00:00Z', '2024-01-11T00:00Z']],
  },
  {
    name: 'end date: the run starting exactly at the end date is the last one',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    end: '2024-01-03T00:00Z',
    catchup: true,
    now: '2024-02-01T00:00Z',
    count: 10,
    runs: [
      ['2024-01-01T00:00Z', '2024-01-02T00:00Z'],
      ['2024-01-02T00:00Z', '2024-01-03T00:00Z'],
      ['2024-01-03T00:00Z', '2024-01-04T00:00Z'],
    ],
  },
  {
    name: 'end date before the start date: no run',
    cron: '@daily',
    start: '2024-01-10T00:00Z',
    end: '2024-01-05T00:00Z',
    catchup: true,
    now: '2024-02-01T00:00Z',
    runs: [],
  },
  {
    name: 'catchup without a start date: no run',
    cron: '@daily',
    catchup: true,
    now: '2024-02-01T00:00Z',
    runs: [],
  },
  {
    name: 'catchup without a start date still continues after the last run',
    cron: '@daily',
    catchup: true,
    now: '2024-02-01T00:00Z',
    last: ['2024-01-09T00:00Z', '2024-01-10T00:00Z'],
    count: 1,
    runs: [['2024-01-10T00:00Z', '2024-01-11T00:00Z']],
  },
  {
    name: 'start date in the future with catchup: the run waits for it',
    cron: '@daily',
    start: '2024-02-01T00:00Z',
    catchup: true,
    now: '2024-01-15T12:00Z',
    count: 1,
    runs: [['2024-02-01T00:00Z', '2024-02-02T00:00Z']],
  },
  // --- catchup=false: Airflow's _skip_to_latest, the latest interval that has ended at `now`
  {
    name: 'catchup=false, now between boundaries: the interval that ended last midnight',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-01-05T12:00Z',
    count: 2,
    runs: [
      ['2024-01-04T00:00Z', '2024-01-05T00:00Z'],
      ['2024-01-05T00:00Z', '2024-01-06T00:00Z'],
    ],
  },
  {
    name: 'catchup=false, now exactly on a boundary: the interval ending now',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-01-05T00:00Z',
    count: 1,
    runs: [['2024-01-04T00:00Z', '2024-01-05T00:00Z']],
  },
  {
    name: 'catchup=false, a millisecond before the boundary: one interval earlier',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-01-04T23:59:59.999Z',
    count: 1,
    runs: [['2024-01-03T00:00Z', '2024-01-04T00:00Z']],
  },
  {
    name: 'catchup=false @hourly between boundaries, no start date',
    cron: '@hourly',
    catchup: false,
    now: '2024-01-01T10:30Z',
    count: 1,
    runs: [['2024-01-01T09:00Z', '2024-01-01T10:00Z']],
  },
  {
    name: 'catchup=false @hourly on a boundary, no start date',
    cron: '@hourly',
    catchup: false,
    now: '2024-01-01T10:00Z',
    count: 1,
    runs: [['2024-01-01T09:00Z', '2024-01-01T10:00Z']],
  },
  {
    name: 'catchup=false @weekly on a Saturday',
    cron: '@weekly',
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-01-20T12:00Z',
    count: 1,
    runs: [['2024-01-07T00:00Z', '2024-01-14T00:00Z']],
  },
  {
    name: 'catchup=false @monthly in May',
    cron: '@monthly',
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-05-10T00:00Z',
    count: 1,
    runs: [['2024-04-01T00:00Z', '2024-05-01T00:00Z']],
  },
  {
    name: 'catchup=false skips missed intervals after the last run',
    cron: '@daily',
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-01-10T12:00Z',
    last: ['2024-01-01T00:00Z', '2024-01-02T00:00Z'],
    count: 1,
    runs: [['2024-01-09T00:00Z', '2024-01-10T00:00Z']],
  },
  {
    name: 'catchup=false with a future start date waits for it',
    cron: '@daily',
    start: '2024-02-01T00:00Z',
    catchup: false,
    now: '2024-01-15T12:00Z',
    count: 1,
    runs: [['2024-02-01T00:00Z', '2024-02-02T00:00Z']],
  },
  {
    name: 'catchup=false with a start inside the current period: first interval starts at the next boundary',
    cron: '@daily',
    start: '2024-01-05T09:00Z',
    catchup: false,
    now: '2024-01-05T12:00Z',
    count: 1,
    runs: [['2024-01-06T00:00Z', '2024-01-07T00:00Z']],
  },
  // --- DST, fixed-time crons (not every hour): wall-clock time, made aware with fold=1
  {
    name: '0 2 * * * Amsterdam fall-back: 02:00 on 27 Oct is the second (CET) one, 25-hour interval',
    cron: '0 2 * * *',
    zone: 'Europe/Amsterdam',
    start: '2024-10-25T22:00Z', // 2024-10-26 00:00 CEST
    catchup: true,
    now: '2024-11-01T00:00Z',
    count: 2,
    runs: [
      ['2024-10-26T00:00Z', '2024-10-27T01:00Z'],
      ['2024-10-27T01:00Z', '2024-10-28T01:00Z'],
    ],
  },
  {
    name: '30 1 * * * New York spring-forward: 23-hour interval into EDT',
    cron: '30 1 * * *',
    zone: 'America/New_York',
    start: '2024-03-09T05:00Z', // 2024-03-09 00:00 EST
    catchup: true,
    now: '2024-03-20T00:00Z',
    count: 2,
    runs: [
      ['2024-03-09T06:30Z', '2024-03-10T06:30Z'],
      ['2024-03-10T06:30Z', '2024-03-11T05:30Z'],
    ],
  },
  {
    name: '30 1 * * * New York fall-back: ambiguous 01:30 is the second (EST) one',
    cron: '30 1 * * *',
    zone: 'America/New_York',
    start: '2024-11-01T04:00Z', // 2024-11-01 00:00 EDT
    catchup: true,
    now: '2024-11-10T00:00Z',
    count: 3,
    runs: [
      ['2024-11-01T05:30Z', '2024-11-02T05:30Z'],
      ['2024-11-02T05:30Z', '2024-11-03T06:30Z'],
      ['2024-11-03T06:30Z', '2024-11-04T06:30Z'],
    ],
  },
  {
    name: '0 2 * * * New York spring-forward: 02:00 on 10 March becomes 03:00 EDT',
    cron: '0 2 * * *',
    zone: 'America/New_York',
    start: '2024-03-09T05:00Z',
    catchup: true,
    now: '2024-03-20T00:00Z',
    count: 2,
    runs: [
      ['2024-03-09T07:00Z', '2024-03-10T07:00Z'],
      ['2024-03-10T07:00Z', '2024-03-11T06:00Z'],
    ],
  },
  {
    name: '0 0,3 * * * Amsterdam (hours not all covered): wall-clock 03:00 CEST after the gap (fixed in 2.8)',
    cron: '0 0,3 * * *',
    zone: 'Europe/Amsterdam',
    start: '2024-03-30T23:00Z', // 2024-03-31 00:00 CET
    catchup: true,
    now: '2024-04-02T00:00Z',
    count: 2,
    runs: [
      ['2024-03-30T23:00Z', '2024-03-31T01:00Z'],
      ['2024-03-31T01:00Z', '2024-03-31T22:00Z'],
    ],
  },
  // --- DST, hourly crons: absolute one-hour spacing, the folded hour runs twice, nothing skipped
  {
    name: '0 * * * * Amsterdam spring-forward: local 01:00 CET is followed by 03:00 CEST',
    cron: '0 * * * *',
    zone: 'Europe/Amsterdam',
    start: '2024-03-30T23:00Z',
    catchup: true,
    now: '2024-04-01T00:00Z',
    count: 4,
    runs: [
      ['2024-03-30T23:00Z', '2024-03-31T00:00Z'],
      ['2024-03-31T00:00Z', '2024-03-31T01:00Z'],
      ['2024-03-31T01:00Z', '2024-03-31T02:00Z'],
      ['2024-03-31T02:00Z', '2024-03-31T03:00Z'],
    ],
  },
  {
    name: '0 * * * * Amsterdam fall-back: 02:00 CEST and 02:00 CET both start a run',
    cron: '0 * * * *',
    zone: 'Europe/Amsterdam',
    start: '2024-10-26T23:00Z', // 2024-10-27 01:00 CEST
    catchup: true,
    now: '2024-10-28T00:00Z',
    count: 4,
    runs: [
      ['2024-10-26T23:00Z', '2024-10-27T00:00Z'],
      ['2024-10-27T00:00Z', '2024-10-27T01:00Z'],
      ['2024-10-27T01:00Z', '2024-10-27T02:00Z'],
      ['2024-10-27T02:00Z', '2024-10-27T03:00Z'],
    ],
  },
  {
    name: '@hourly New York spring-forward',
    cron: '@hourly',
    zone: 'America/New_York',
    start: '2024-03-10T05:00Z', // 2024-03-10 00:00 EST
    catchup: true,
    now: '2024-03-11T00:00Z',
    count: 3,
    runs: [
      ['2024-03-10T05:00Z', '2024-03-10T06:00Z'],
      ['2024-03-10T06:00Z', '2024-03-10T07:00Z'],
      ['2024-03-10T07:00Z', '2024-03-10T08:00Z'],
    ],
  },
  {
    name: '@hourly New York fall-back: 01:00 EDT and 01:00 EST both start a run',
    cron: '@hourly',
    zone: 'America/New_York',
    start: '2024-11-03T04:00Z', // 2024-11-03 00:00 EDT
    catchup: true,
    now: '2024-11-04T00:00Z',
    count: 4,
    runs: [
      ['2024-11-03T04:00Z', '2024-11-03T05:00Z'],
      ['2024-11-03T05:00Z', '2024-11-03T06:00Z'],
      ['2024-11-03T06:00Z', '2024-11-03T07:00Z'],
      ['2024-11-03T07:00Z', '2024-11-03T08:00Z'],
    ],
  },
  // --- Airflow's own quirk, kept: on the spring-forward day `_get_prev` of 03:00 CEST returns
  // itself (02:00 → 03:00), so catchup=false picks the interval that has not ended yet.
  {
    name: 'catchup=false 0 2 * * * Amsterdam on an ordinary day',
    cron: '0 2 * * *',
    zone: 'Europe/Amsterdam',
    catchup: false,
    now: '2024-03-30T12:00Z',
    count: 1,
    runs: [['2024-03-29T01:00Z', '2024-03-30T01:00Z']],
  },
  {
    name: 'catchup=false 0 2 * * * Amsterdam on the spring-forward day (Airflow quirk)',
    cron: '0 2 * * *',
    zone: 'Europe/Amsterdam',
    catchup: false,
    now: '2024-03-31T12:00Z',
    count: 1,
    runs: [['2024-03-31T01:00Z', '2024-04-01T00:00Z']],
  },
];

describe('cron data-interval timetable (CronDataIntervalTimetable)', () => {
  it.each(cases)('$name', (c) => {
    const timetable = timetableFor({ kind: 'cron', expression: c.cron }, c.zone ?? 'UTC');
    const restriction: TimeRestriction = { catchup: c.catchup };
    if (c.start) restriction.earliest = utc(c.start);
    if (c.end) restriction.latest = utc(c.end);
    const last: DataInterval | null = c.last ? { start: utc(c.last[0]), end: utc(c.last[1]) } : null;
    const runs = upcomingRuns(timetable, restriction, utc(c.now), c.count ?? 3, last);
    expect(runs).toEqual(c.runs.map(([start, end]) => interval(start, end)));
  });

  it('upcomingRuns with count 0 asks for nothing', () => {
    const timetable = timetableFor({ kind: 'cron', expression: '@daily' }, 'UTC');
    expect(
      upcomingRuns(
        timetable,
        { catchup: true, earliest: utc('2024-01-01T00:00Z') },
        utc('2024-01-02T00:00Z'),
        0,
      ),
    ).toEqual([]);
  });
});

describe('cron inferManualDataInterval: the last complete interval before the trigger', () => {
  it.each([
    ['@daily', 'UTC', '2024-01-25T01:00Z', '2024-01-24T00:00Z', '2024-01-25T00:00Z'],
    ['@daily', 'UTC', '2024-01-25T00:00Z', '2024-01-24T00:00Z', '2024-01-25T00:00Z'],
    ['0 2 * * *', 'Europe/Amsterdam', '2024-03-30T12:00Z', '2024-03-29T01:00Z', '2024-03-30T01:00Z'],
    // Airflow quirk: on the spring-forward day `_get_prev(end)` is `end` itself, so the interval is empty.
    ['0 2 * * *', 'Europe/Amsterdam', '2024-03-31T12:00Z', '2024-03-31T01:00Z', '2024-03-31T01:00Z'],
  ])('%s in %s triggered at %s → [%s, %s)', (cron, zone, runAfter, start, end) => {
    const timetable = timetableFor({ kind: 'cron', expression: cron }, zone);
    expect(timetable.inferManualDataInterval(utc(runAfter))).toEqual({ start: utc(start), end: utc(end) });
  });
});
