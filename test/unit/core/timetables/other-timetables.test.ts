import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../../functions/core/model';
import {
  type DagRunInfo,
  type DataInterval,
  type TimeRestriction,
  timetableFor,
  upcomingRuns,
} from '../../../../functions/core/timetables';
import { exact, interval, utc } from './helpers';

interface Case {
  name: string;
  schedule: ScheduleSpec;
  zone?: string;
  start?: string;
  end?: string;
  catchup: boolean;
  now: string;
  last?: [string, string];
  count?: number;
  runs: DagRunInfo[];
}

const trigger = (expression: string): ScheduleSpec => ({ kind: 'cron_trigger', expression });
const delta = (duration: string): ScheduleSpec => ({ kind: 'delta', duration });

const cases: Case[] = [
  // --- CronTriggerTimetable: logical date = trigger time, empty data interval
  {
    name: 'trigger @daily catchup from the start date',
    schedule: trigger('@daily'),
    start: '2024-01-01T00:00Z',
    catchup: true,
    now: '2024-01-05T12:00Z',
    count: 2,
    runs: [exact('2024-01-01T00:00Z'), exact('2024-01-02T00:00Z')],
  },
  {
    name: 'trigger @daily catchup=false runs the latest point at or before now, then the next ones',
    schedule: trigger('@daily'),
    start: '2024-01-01T00:00Z',
    catchup: false,
    now: '2024-01-05T12:00Z',
    count: 2,
    runs: [exact('2024-01-05T00:00Z'), exact('2024-01-06T00:00Z')],
  },
  {
    name: 'trigger catchup=false after a run at the latest point: the next point',
    schedule: trigger('@daily'),
    catchup: false,
    now: '2024-01-05T12:00Z',
    last: ['2024-01-05T00:00Z', '2024-01-05T00:00Z'],
    count: 1,
    runs: [exact('2024-01-06T00:00Z')],
  },
  {
    name: 'trigger catchup=false with a future start date',
    schedule: trigger('0 6 * * *'),
    start: '2024-02-01T00:00Z',
    catchup: false,
    now: '2024-01-05T12:00Z',
    count: 1,
    runs: [exact('2024-02-01T06:00Z')],
  },
  {
    name: 'trigger catchup without a start date: no run',
    schedule: trigger('@daily'),
    catchup: true,
    now: '2024-01-05T12:00Z',
    runs: [],
  },
  {
    name: 'trigger end date stops',
    schedule: trigger('@daily'),
    start: '2024-01-01T00:00Z',
    end: '2024-01-02T12:00Z',
    catchup: true,
    now: '2024-02-01T00:00Z',
    count: 5,
    runs: [exact('2024-01-01T00:00Z'), exact('2024-01-02T00:00Z')],
  },
  {
    name: 'trigger 0 2 * * * Amsterdam across spring-forward',
    schedule: trigger('0 2 * * *'),
    zone: 'Europe/Amsterdam',
    start: '2024-03-30T00:00Z', // 01:00 CET
    catchup: true,
    now: '2024-04-02T00:00Z',
    count: 3,
    runs: [exact('2024-03-30T01:00Z'), exact('2024-03-31T01:00Z'), exact('2024-04-01T00:00Z')],
  },
  // --- DeltaDataIntervalTimetable: plain UTC arithmetic, timezone ignored
  {
    name: 'PT1H from an off-grid start keeps the start grid',
    schedule: delta('PT1H'),
    start: '2024-01-01T00:30Z',
    catchup: true,
    now: '2024-01-02T00:00Z',
    count: 2,
    runs: [
      interval('2024-01-01T00:30Z', '2024-01-01T01:30Z'),
      interval('2024-01-01T01:30Z', '2024-01-01T02:30Z'),
    ],
  },
  {
    name: 'P1D in Amsterdam stays 24 hours across spring-forward (no wall-clock arithmetic)',
    schedule: delta('P1D'),
    zone: 'Europe/Amsterdam',
    start: '2024-03-30T23:00Z',
    catchup: true,
    now: '2024-04-05T00:00Z',
    count: 2,
    runs: [
      interval('2024-03-30T23:00Z', '2024-03-31T23:00Z'),
      interval('2024-03-31T23:00Z', '2024-04-01T23:00Z'),
    ],
  },
  {
    name: 'P1M clamps to the end of February, then keeps the 29th',
    schedule: delta('P1M'),
    start: '2024-01-31T00:00Z',
    catchup: true,
    now: '2024-06-01T00:00Z',
    count: 2,
    runs: [
      interval('2024-01-31T00:00Z', '2024-02-29T00:00Z'),
      interval('2024-02-29T00:00Z', '2024-03-29T00:00Z'),
    ],
  },
  {
    name: 'PT1H catchup=false between boundaries: now floored to the hour, one interval back',
    schedule: delta('PT1H'),
    catchup: false,
    now: '2024-01-01T10:20Z',
    count: 1,
    runs: [interval('2024-01-01T09:00Z', '2024-01-01T10:00Z')],
  },
  {
    name: 'PT1H catchup=false exactly on a boundary',
    schedule: delta('PT1H'),
    catchup: false,
    now: '2024-01-01T10:00Z',
    count: 1,
    runs: [interval('2024-01-01T09:00Z', '2024-01-01T10:00Z')],
  },
  {
    name: 'P1D catchup=false uses the epoch grid, not the start date',
    schedule: delta('P1D'),
    start: '2024-01-01T06:00Z',
    catchup: false,
    now: '2024-01-05T12:00Z',
    count: 2,
    runs: [
      interval('2024-01-04T00:00Z', '2024-01-05T00:00Z'),
      interval('2024-01-05T00:00Z', '2024-01-06T00:00Z'),
    ],
  },
  {
    name: 'P1D catchup=false with a future start date',
    schedule: delta('P1D'),
    start: '2024-02-01T06:00Z',
    catchup: false,
    now: '2024-01-05T12:00Z',
    count: 1,
    runs: [interval('2024-02-01T06:00Z', '2024-02-02T06:00Z')],
  },
  {
    name: 'PT1H end date stops',
    schedule: delta('PT1H'),
    start: '2024-01-01T00:00Z',
    end: '2024-01-01T01:00Z',
    catchup: true,
    now: '2024-01-02T00:00Z',
    count: 5,
    runs: [
      interval('2024-01-01T00:00Z', '2024-01-01T01:00Z'),
      interval('2024-01-01T01:00Z', '2024-01-01T02:00Z'),
    ],
  },
  // --- @once and manual
  {
    name: '@once runs once at the start date, catchup or not',
    schedule: { kind: 'once' },
    start: '2024-01-01T09:30Z',
    catchup: false,
    now: '2024-06-01T00:00Z',
    count: 3,
    runs: [exact('2024-01-01T09:30Z')],
  },
  {
    name: '@once after a run: none',
    schedule: { kind: 'once' },
    start: '2024-01-01T09:30Z',
    catchup: true,
    now: '2024-06-01T00:00Z',
    last: ['2024-01-01T09:30Z', '2024-01-01T09:30Z'],
    runs: [],
  },
  {
    name: '@once without a start date: none',
    schedule: { kind: 'once' },
    catchup: true,
    now: '2024-06-01T00:00Z',
    runs: [],
  },
  {
    name: '@once with the end date before the start date: none',
    schedule: { kind: 'once' },
    start: '2024-01-02T00:00Z',
    end: '2024-01-01T00:00Z',
    catchup: true,
    now: '2024-06-01T00:00Z',
    runs: [],
  },
  {
    name: 'manual (null) never schedules',
    schedule: { kind: 'none' },
    start: '2024-01-01T00:00Z',
    catchup: true,
    now: '2024-06-01T00:00Z',
    runs: [],
  },
];

describe('trigger, delta, @once and manual timetables', () => {
  it.each(cases)('$name', (c) => {
    const timetable = timetableFor(c.schedule, c.zone ?? 'UTC');
    const restriction: TimeRestriction = { catchup: c.catchup };
    if (c.start) restriction.earliest = utc(c.start);
    if (c.end) restriction.latest = utc(c.end);
    const last: DataInterval | null = c.last ? { start: utc(c.last[0]), end: utc(c.last[1]) } : null;
    expect(upcomingRuns(timetable, restriction, utc(c.now), c.count ?? 3, last)).toEqual(c.runs);
  });
});

describe('inferManualDataInterval', () => {
  it.each<[string, ScheduleSpec, string, string]>([
    ['delta: the duration before the trigger', delta('PT1H'), '2024-01-01T09:30Z', '2024-01-01T10:30Z'],
    ['delta P1M: a calendar month back', delta('P1M'), '2024-02-29T00:00Z', '2024-03-31T00:00Z'],
    ['cron trigger: empty at the trigger time', trigger('@daily'), '2024-01-01T10:30Z', '2024-01-01T10:30Z'],
    ['@once: empty at the trigger time', { kind: 'once' }, '2024-01-01T10:30Z', '2024-01-01T10:30Z'],
    ['manual: empty at the trigger time', { kind: 'none' }, '2024-01-01T10:30Z', '2024-01-01T10:30Z'],
  ])('%s', (_, schedule, start, runAfter) => {
    const timetable = timetableFor(schedule, 'UTC');
    expect(timetable.inferManualDataInterval(utc(runAfter))).toEqual({
      start: utc(start),
      end: utc(runAfter),
    });
  });
});
