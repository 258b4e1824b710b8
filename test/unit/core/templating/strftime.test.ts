import { describe, expect, it } from 'vitest';
import { strftime, strptime } from '../../../../functions/core/templating/strftime';

const at = new Date('2024-02-29T07:05:09.250Z');

describe('strftime / strptime (Python directives, UTC)', () => {
  it.each([
    ['%Y-%m-%d', '2024-02-29'],
    ['%Y%m%dT%H%M%S', '20240229T070509'],
    ['%y/%j', '24/060'],
    ['%I:%M %p', '07:05 AM'],
    ['%a %A %b %B', 'Thu Thursday Feb February'],
    ['%H:%M:%S.%f%z %Z', '07:05:09.250000+0000 UTC'],
    ['100%%', '100%'],
  ])('strftime %s', (format, expected) => {
    expect(strftime(at, format)).toBe(expected);
  });

  it('refuses a directive it does not know, naming it', () => {
    expect(() => strftime(at, '%Y %Q')).toThrow('strftime: unsupported directive %Q in "%Y %Q"');
  });

  it.each([
    ['2024-02-29', '%Y-%m-%d', '2024-02-29T00:00:00.000Z'],
    ['29/02/24 13:45', '%d/%m/%y %H:%M', '2024-02-29T13:45:00.000Z'],
    ['5 Mar 2023', '%d %b %Y', '2023-03-05T00:00:00.000Z'],
    ['01 December 1999', '%d %B %Y', '1999-12-01T00:00:00.000Z'],
  ])('strptime %s with %s', (text, format, iso) => {
    expect(strptime(text, format).toISOString()).toBe(iso);
  });

  it('refuses text that does not match or is not a date', () => {
    expect(() => strptime('2024/01/01', '%Y-%m-%d')).toThrow(
      'time data "2024/01/01" does not match format "%Y-%m-%d"',
    );
    expect(() => strptime('2023-02-29', '%Y-%m-%d')).toThrow('is not a valid date');
  });
});
