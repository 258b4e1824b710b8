import { describe, expect, it } from 'vitest';
import { utcToWallClock, wallClockToUtc } from '../../../../functions/core/timetables';
import { toMs } from '../../../../functions/core/timetables/instant';

// Amsterdam: CET +01:00 / CEST +02:00; 2024-03-31 02:00 → 03:00 (at 01:00Z), 2024-10-27 03:00 → 02:00 (at 01:00Z).
// New York: EST -05:00 / EDT -04:00; 2024-03-10 02:00 → 03:00 (at 07:00Z), 2024-11-03 02:00 → 01:00 (at 06:00Z).
describe('wallClockToUtc follows pendulum with fold=1 (Airflow make_aware)', () => {
  it.each([
    ['before the gap is CET', 'Europe/Amsterdam', '2024-03-31T01:59:00', '2024-03-31T00:59:00.000Z'],
    [
      'gap start 02:00 moves to 03:00 CEST',
      'Europe/Amsterdam',
      '2024-03-31T02:00:00',
      '2024-03-31T01:00:00.000Z',
    ],
    [
      'gap 02:30 moves forward to 03:30 CEST',
      'Europe/Amsterdam',
      '2024-03-31T02:30',
      '2024-03-31T01:30:00.000Z',
    ],
    [
      '03:00 right after the gap is CEST',
      'Europe/Amsterdam',
      '2024-03-31T03:00:00',
      '2024-03-31T01:00:00.000Z',
    ],
    ['before the fold is CEST', 'Europe/Amsterdam', '2024-10-27T01:59:00', '2024-10-26T23:59:00.000Z'],
    [
      'ambiguous 02:30 is the second (CET) one',
      'Europe/Amsterdam',
      '2024-10-27T02:30:00',
      '2024-10-27T01:30:00.000Z',
    ],
    [
      'ambiguous 02:00 is the second (CET) one',
      'Europe/Amsterdam',
      '2024-10-27T02:00:00',
      '2024-10-27T01:00:00.000Z',
    ],
    ['03:00 after the fold is CET', 'Europe/Amsterdam', '2024-10-27T03:00:00', '2024-10-27T02:00:00.000Z'],
    [
      'New York gap 02:30 moves to 03:30 EDT',
      'America/New_York',
      '2024-03-10T02:30:00',
      '2024-03-10T07:30:00.000Z',
    ],
    [
      'New York ambiguous 01:30 is the second (EST) one',
      'America/New_York',
      '2024-11-03T01:30:00',
      '2024-11-03T06:30:00.000Z',
    ],
    [
      'New York summer noon is EDT',
      'America/New_York',
      '2024-07-01T12:00:00.250',
      '2024-07-01T16:00:00.250Z',
    ],
    ['UTC is the identity', 'UTC', '2024-01-01T00:00:00', '2024-01-01T00:00:00.000Z'],
  ])('%s', (_, zone, wallClock, utc) => {
    expect(wallClockToUtc(wallClock, zone)).toBe(utc);
  });

  it.each([
    ['first 02:30 of the fold (CEST)', '2024-10-27T00:30:00.000Z', '2024-10-27T02:30:00.000'],
    ['second 02:30 of the fold (CET)', '2024-10-27T01:30:00.000Z', '2024-10-27T02:30:00.000'],
    ['first instant after the gap', '2024-03-31T01:00:00.000Z', '2024-03-31T03:00:00.000'],
  ])('utcToWallClock: %s', (_, utc, wallClock) => {
    expect(utcToWallClock(utc, 'Europe/Amsterdam')).toBe(wallClock);
  });

  it.each([
    ['an offset in the wall clock', () => wallClockToUtc('2024-03-31T02:30:00Z', 'UTC'), /no offset/],
    [
      'an unknown zone',
      () => wallClockToUtc('2024-03-31T02:30:00', 'Mars/Olympus'),
      /unknown timezone "Mars\/Olympus"/,
    ],
    ['an instant without zone', () => toMs('2024-03-31T02:30:00', 'now'), /now must be an ISO-8601 instant/],
    ['a non-date', () => toMs('yesterday'), /got "yesterday"/],
  ])('rejects %s', (_, call, message) => {
    expect(call).toThrow(message);
  });
});
