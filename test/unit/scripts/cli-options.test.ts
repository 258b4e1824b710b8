import { describe, expect, it } from 'vitest';
import { formatTable, shortInstant } from '../../../scripts/cli/io';
import { parseCount, parseNow } from '../../../scripts/cli/options';

describe('CLI option parsers', () => {
  it.each([
    ['2024-03-31T12:00:00Z', '2024-03-31T12:00:00.000Z'],
    ['2024-03-31T14:00:00+02:00', '2024-03-31T12:00:00.000Z'],
    ['2024-03-31T12:00Z', '2024-03-31T12:00:00.000Z'],
    ['2024-03-31', '2024-03-31T00:00:00.000Z'],
  ])('--now %s is %s', (input, expected) => {
    expect(parseNow(input)).toBe(expected);
  });

  // A zone-less time would silently mean the machine's local time.
  it.each(['2024-03-31T12:00:00', 'tomorrow', '2024-13-01T00:00:00Z', ''])('--now rejects %j', (input) => {
    expect(() => parseNow(input)).toThrow(/ISO-8601 instant with a zone/);
  });

  it.each([
    ['1', 1],
    ['1000', 1000],
  ])('-n %s is %d', (input, expected) => {
    expect(parseCount(input)).toBe(expected);
  });

  it.each(['0', '-1', '2.5', 'abc', '1001', ''])('-n rejects %j', (input) => {
    expect(() => parseCount(input)).toThrow(/whole number from 1 to 1000/);
  });
});

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['id', 'when'],
        [
          ['etl', '02:00'],
          ['a_longer_id', ''],
        ],
      ),
    ).toBe(['id           when', 'etl          02:00', 'a_longer_id'].join('\n'));
  });

  it('drops zero milliseconds from instants', () => {
    expect(shortInstant('2024-03-28T01:00:00.000Z')).toBe('2024-03-28T01:00:00Z');
    expect(shortInstant('2024-03-28T01:00:00.500Z')).toBe('2024-03-28T01:00:00.500Z');
  });
});
