import { describe, expect, it } from 'vitest';
import { decideAthena } from '../../../functions/operators/sensors/athena-query';
import {
  decideExternal,
  externalLogicalDate,
} from '../../../functions/operators/sensors/external-task-sensor';
import { decideHttpPoke } from '../../../functions/operators/sensors/http-sensor';
import {
  fnmatchToRegExp,
  listingPrefix,
  matchListed,
} from '../../../functions/operators/sensors/s3-key-sensor';
import type { QueryStatus } from '../../../functions/ports/query-engine';

describe('s3KeySensor matching (Airflow fnmatch)', () => {
  it.each([
    ['data/*.csv', 'data/a.csv', true],
    ['data/*.csv', 'data/sub/a.csv', true], // fnmatch's * crosses "/"
    ['data/*.csv', 'data/a.json', false],
    ['data/?.csv', 'data/ab.csv', false],
    ['data/?.csv', 'data/a.csv', true],
    ['data/[ab].csv', 'data/b.csv', true],
    ['data/[!ab].csv', 'data/b.csv', false],
    ['data/[!ab].csv', 'data/c.csv', true],
    ['a+b(1).csv', 'a+b(1).csv', true],
    ['a.csv', 'abcsv', false], // "." is literal
    ['x[', 'x[', true], // an unclosed "[" is literal
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(fnmatchToRegExp(pattern).test(key)).toBe(expected);
  });

  it.each([
    ['data/day=1/*.csv', 'data/day=1/'],
    ['plain/key.csv', 'plain/key.csv'],
    ['?x', ''],
  ])('lists under the literal prefix of %s', (pattern, prefix) => {
    expect(listingPrefix(pattern)).toBe(prefix);
  });

  it.each([
    {
      match: 'wildcard',
      entries: ['in/*.csv'],
      keys: ['in/b.csv', 'in/a.csv'],
      met: true,
      matched: ['in/a.csv', 'in/b.csv'],
    },
    {
      match: 'wildcard',
      entries: ['in/*.csv', 'in/_SUCCESS'],
      keys: ['in/a.csv'],
      met: false,
      missing: ['in/_SUCCESS'],
    },
    { match: 'prefix', entries: ['in/'], keys: [], met: false, missing: ['in/'] },
    { match: 'prefix', entries: ['in/'], keys: ['in/x'], met: true, matched: ['in/x'] },
  ] as const)('$match $entries over $keys: met $met', (row) => {
    const result = matchListed(row.match, row.entries, row.keys);
    expect(result.met).toBe(row.met);
    if ('matched' in row) expect(result.matched).toEqual(row.matched);
    if ('missing' in row) expect(result.missing).toEqual(row.missing);
  });
});

describe('httpSensor decisions (Airflow HttpSensor)', () => {
  const base = { pendingStatus: [404] };
  it.each([
    [{ ...base }, 200, '', 'met'],
    [{ ...base }, 204, '', 'met'],
    [{ ...base }, 404, '', 'pending'],
    [{ ...base }, 403, '', 'error'],
    [{ ...base }, 500, '', 'error'],
    [{ ...base }, 302, '', 'error'],
    [{ ...base, responseContains: 'ready' }, 200, 'state: ready', 'met'],
    [{ ...base, responseContains: 'ready' }, 200, 'state: building', 'pending'],
    [{ ...base, expectedStatus: [202] }, 200, '', 'error'],
    [{ ...base, expectedStatus: [202] }, 202, '', 'met'],
    [{ pendingStatus: [404, 503] }, 503, '', 'pending'],
  ])('%j, status %i, body %j: %s', (spec, status, body, expected) => {
    expect(decideHttpPoke(spec, status, body)).toBe(expected);
  });
});

describe('externalTaskSensor decisions (Airflow ExternalTaskSensor)', () => {
  const spec = { allowedStates: ['success'], failedStates: ['failed', 'upstream_failed'] };
  const at = (...states: string[]) => ({ found: true as const, runId: 'r', states });
  it.each([
    [{ found: false as const }, 'wait'],
    [at('success'), 'met'],
    [at('running'), 'wait'],
    [at('none'), 'wait'],
    [at('failed'), 'failed'],
    [at('upstream_failed'), 'failed'],
    [at('success', 'success', 'running'), 'wait'], // every map index must be allowed
    [at('success', 'failed'), 'failed'],
    [at('skipped'), 'wait'],
  ])('%j: %s', (found, kind) => {
    expect(decideExternal(spec, found).kind).toBe(kind);
  });

  it('names the waiting states and the failed one', () => {
    expect(decideExternal(spec, at('running', 'queued', 'running'))).toEqual({
      kind: 'wait',
      why: 'run r is running, queued',
    });
    expect(decideExternal(spec, at('failed'))).toEqual({ kind: 'failed', state: 'failed' });
  });

  it.each([
    ['2024-01-02T00:00:00.000Z', 0, '2024-01-02T00:00:00.000Z'],
    ['2024-01-02T00:00:00.000Z', 3600, '2024-01-01T23:00:00.000Z'],
    ['2024-01-02T00:00:00Z', -86400, '2024-01-03T00:00:00.000Z'],
  ])('shifts %s by %i s to %s', (date, delta, expected) => {
    expect(externalLogicalDate(date, delta)).toBe(expected);
  });
});

describe('athenaQuery decisions', () => {
  const status = (state: QueryStatus['state'], extra: Partial<QueryStatus> = {}): QueryStatus => ({
    state,
    ...extra,
  });
  it.each([
    [status('QUEUED'), false, { kind: 'wait', why: 'Athena query q is QUEUED' }],
    [status('RUNNING'), false, { kind: 'wait', why: 'Athena query q is RUNNING' }],
    [status('RUNNING'), true, { kind: 'stop', why: 'Athena query q still RUNNING at the timeout' }],
    [status('QUEUED'), true, { kind: 'stop', why: 'Athena query q still QUEUED at the timeout' }],
    [
      status('SUCCEEDED', { outputLocation: 's3://r/q.csv' }),
      false,
      { kind: 'succeeded', outputLocation: 's3://r/q.csv' },
    ],
    [
      status('SUCCEEDED', { outputLocation: 's3://r/q.csv' }),
      true,
      { kind: 'succeeded', outputLocation: 's3://r/q.csv' },
    ],
    [
      status('FAILED', { reason: "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved" }),
      false,
      {
        kind: 'failed',
        reason: "Athena query q FAILED: SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved",
      },
    ],
    [status('CANCELLED'), false, { kind: 'failed', reason: 'Athena query q CANCELLED: no reason given' }],
  ])('%j, timed out %s', (s, timedOut, expected) => {
    expect(decideAthena('q', s, timedOut)).toEqual(expected);
  });
});
