import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../../functions/core/model';
import { parseSchedule, timetableFor, validateTimezone } from '../../../../functions/core/timetables';
import { coversEveryHour } from '../../../../functions/core/timetables/cron';

describe('parseSchedule accepts', () => {
  it.each<[string | null | undefined, boolean, ScheduleSpec]>([
    [null, false, { kind: 'none' }],
    [undefined, false, { kind: 'none' }],
    ['@once', false, { kind: 'once' }],
    ['@once', true, { kind: 'once' }],
    ['@daily', false, { kind: 'cron', expression: '@daily' }],
    ['@annually', false, { kind: 'cron', expression: '@annually' }],
    ['@hourly', true, { kind: 'cron_trigger', expression: '@hourly' }],
    [' 0 2 * * * ', false, { kind: 'cron', expression: '0 2 * * *' }],
    ['30 1 * * MON-FRI', true, { kind: 'cron_trigger', expression: '30 1 * * MON-FRI' }],
    ['0 0 * * THU', false, { kind: 'cron', expression: '0 0 * * THU' }],
    ['PT30M', false, { kind: 'delta', duration: 'PT30M' }],
    ['P1D', false, { kind: 'delta', duration: 'P1D' }],
    ['P1M', false, { kind: 'delta', duration: 'P1M' }],
  ])('%j (trigger: %s)', (input, trigger, schedule) => {
    expect(parseSchedule(input, { trigger })).toEqual({ ok: true, schedule });
  });
});

describe('parseSchedule rejects, quoting the value and showing a valid example', () => {
  it.each<[string, boolean, RegExp[]]>([
    ['', false, [/empty schedule/, /"0 2 \* \* \*"/]],
    ['@continuous', false, [/"@continuous" is not supported/, /"@daily"/]],
    ['@fortnightly', false, [/unknown schedule preset "@fortnightly"/, /@hourly/]],
    ['61 * * * *', false, [/"61 \* \* \* \*"/, /0-59/, /e\.g\. "0 2 \* \* \*"/]],
    ['0 2 * *', false, [/"0 2 \* \*"/, /expected 5 fields/, /got 4/]],
    ['0 0 2 * * *', false, [/got 6/]],
    ['H 2 * * *', false, [/hashed values \(H\) are not supported/]],
    ['0 0 31 2 *', false, [/"0 0 31 2 \*"/, /day of month/]],
    ['every day', false, [/expected 5 fields/]],
    ['PT0S', false, [/"PT0S"/, /must be positive/, /"PT1H"/]],
    ['P1X', false, [/invalid ISO-8601 duration "P1X"/, /"PT30M"/]],
    ['P1.5M', false, [/whole numbers/]],
    ['PT1H', true, [/cron trigger schedule needs a cron expression/, /"PT1H"/]],
    ['not a cron', true, [/"not a cron"/]],
  ])('%j (trigger: %s)', (input, trigger, messages) => {
    const parsed = parseSchedule(input, { trigger });
    expect(parsed.ok).toBe(false);
    for (const message of messages) expect(parsed.ok ? '' : parsed.problem).toMatch(message);
  });
});

describe('validateTimezone', () => {
  it.each([['UTC'], ['Europe/Amsterdam'], ['America/New_York']])('accepts %s', (zone) => {
    expect(validateTimezone(zone)).toBeUndefined();
  });
  it.each([['Europe/Amsterdm'], ['CEST+2'], ['']])('rejects %j with an example', (zone) => {
    const problem = validateTimezone(zone);
    expect(problem).toContain(`unknown timezone ${JSON.stringify(zone)}`);
    expect(problem).toContain('"Europe/Amsterdam"');
  });
});

describe('timetableFor', () => {
  it.each<[ScheduleSpec, string, boolean]>([
    [{ kind: 'none' }, 'None', false],
    [{ kind: 'once' }, '@once', true],
    [{ kind: 'cron', expression: '@daily' }, '@daily', true],
    [{ kind: 'cron', expression: '0 2 * * *' }, '0 2 * * *', true],
    [{ kind: 'cron_trigger', expression: '@hourly' }, '@hourly', true],
    [{ kind: 'delta', duration: 'PT1H' }, 'PT1H', true],
  ])('%j has summary %j, periodic %s', (schedule, summary, periodic) => {
    const timetable = timetableFor(schedule, 'Europe/Amsterdam');
    expect({ summary: timetable.summary, periodic: timetable.periodic }).toEqual({ summary, periodic });
  });

  it.each<[ScheduleSpec, string, RegExp]>([
    [{ kind: 'cron', expression: '0 2 * * *' }, 'Nowhere/Land', /unknown timezone "Nowhere\/Land"/],
    [{ kind: 'cron_trigger', expression: '0 25 * * *' }, 'UTC', /invalid cron expression "0 25 \* \* \*"/],
    [{ kind: 'delta', duration: 'PT-1H' }, 'UTC', /"PT-1H"/],
  ])('rejects %j in %s', (schedule, zone, message) => {
    expect(() => timetableFor(schedule, zone)).toThrow(message);
  });
});

// Airflow ≥ 2.8 keeps absolute spacing across DST only when the hour field is `*` after croniter's
// normalization (`_covers_every_hour`); every other schedule lands on its wall-clock time.
describe('coversEveryHour', () => {
  it.each([
    ['0 * * * *', true],
    ['@hourly', true],
    ['*/15 * * * *', true],
    ['0 0-23 * * *', true],
    ['0 */1 * * *', true],
    ['0 2 * * *', false],
    ['0 0,3 * * *', false],
    ['0 */2 * * *', false],
    ['@daily', false],
  ])('%s → %s', (expression, expected) => {
    expect(coversEveryHour(expression)).toBe(expected);
  });
});
