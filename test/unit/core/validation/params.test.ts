import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../../../functions/core/model';
import { checkParamSpec, checkParamValue, resolveParams } from '../../../../functions/core/validation/params';

type Row = [keyword: string, spec: ParamSpec, value: unknown, problems: string[]];

const ok = (keyword: string, spec: ParamSpec, value: unknown): Row => [keyword, spec, value, []];
const bad = (keyword: string, spec: ParamSpec, value: unknown, ...problems: string[]): Row => [
  keyword,
  spec,
  value,
  problems,
];

describe('checkParamValue: every JSON-schema keyword, passing and failing', () => {
  it.each<Row>([
    ok('no schema', {}, { anything: [1, null] }),
    ok('type string', { type: 'string' }, 'x'),
    bad('type string', { type: 'string' }, 5, 'p must be of type string, got 5'),
    ok('type number', { type: 'number' }, 1.5),
    bad('type number rejects NaN', { type: 'number' }, Number.NaN, 'p must be of type number, got null'),
    ok('type integer', { type: 'integer' }, 3),
    bad('type integer', { type: 'integer' }, 3.5, 'p must be of type integer, got 3.5'),
    ok('type boolean', { type: 'boolean' }, false),
    bad('type boolean', { type: 'boolean' }, 'true', 'p must be of type boolean, got "true"'),
    ok('type null', { type: 'null' }, null),
    ok('type array', { type: 'array' }, []),
    bad('type array', { type: 'array' }, {}, 'p must be of type array, got {}'),
    ok('type object', { type: 'object' }, {}),
    bad('type object rejects arrays', { type: 'object' }, [], 'p must be of type object, got []'),
    bad('type object rejects null', { type: 'object' }, null, 'p must be of type object, got null'),
    ok('type union', { type: ['string', 'null'] }, null),
    bad('type union', { type: ['string', 'null'] }, 1, 'p must be of type string or null, got 1'),
    bad(
      'a type mismatch stops further checks',
      { type: 'string', minLength: 5 },
      1,
      'p must be of type string, got 1',
    ),
    ok('enum', { enum: ['a', 1, null] }, null),
    bad('enum', { enum: ['a', 1] }, 'b', 'p must be one of "a", 1, got "b"'),
    ok('enum of objects ignores key order', { enum: [{ a: 1, b: 2 }] }, { b: 2, a: 1 }),
    ok('const', { const: { x: [1] } }, { x: [1] }),
    ok('const null', { const: null }, null),
    bad('const', { const: 'x' }, 'y', 'p must equal "x", got "y"'),
    ok('minimum (inclusive)', { minimum: 1 }, 1),
    bad('minimum', { minimum: 1 }, 0, 'p must be >= 1, got 0'),
    ok('maximum (inclusive)', { maximum: 1 }, 1),
    bad('maximum', { maximum: 1 }, 2, 'p must be <= 1, got 2'),
    ok('exclusiveMinimum', { exclusiveMinimum: 1 }, 1.01),
    bad('exclusiveMinimum', { exclusiveMinimum: 1 }, 1, 'p must be > 1, got 1'),
    ok('exclusiveMaximum', { exclusiveMaximum: 1 }, 0.99),
    bad('exclusiveMaximum', { exclusiveMaximum: 1 }, 1, 'p must be < 1, got 1'),
    ok('number keywords ignore strings', { minimum: 10 }, 'abc'),
    ok('minLength', { minLength: 2 }, 'ab'),
    bad('minLength', { minLength: 2 }, 'a', 'p must be at least 2 characters, got "a"'),
    ok('maxLength', { maxLength: 2 }, 'ab'),
    bad('maxLength', { maxLength: 2 }, 'abc', 'p must be at most 2 characters, got "abc"'),
    ok('pattern is not anchored (JSON Schema)', { pattern: 'b+' }, 'abbc'),
    bad('pattern', { pattern: '^\\d+$' }, '12a', 'p must match /^\\d+$/, got "12a"'),
    ok('format date', { format: 'date' }, '2024-02-29'),
    bad('format date', { format: 'date' }, '2024-2-29', 'p must be a date, got "2024-2-29"'),
    bad(
      'format date: not a calendar day',
      { format: 'date' },
      '2024-02-30',
      'p must be a date, got "2024-02-30"',
    ),
    bad('format date: month 13', { format: 'date' }, '2024-13-01', 'p must be a date, got "2024-13-01"'),
    ok('format date-time', { format: 'date-time' }, '2024-01-31T06:00:00Z'),
    ok('format date-time with offset and fraction', { format: 'date-time' }, '2024-01-31T06:00:00.123+01:00'),
    bad(
      'format date-time needs an offset',
      { format: 'date-time' },
      '2024-01-31T06:00',
      'p must be a date-time, got "2024-01-31T06:00"',
    ),
    bad(
      'format date-time: not a calendar day',
      { format: 'date-time' },
      '2023-02-29T00:00:00Z',
      'p must be a date-time, got "2023-02-29T00:00:00Z"',
    ),
    ok('format email', { format: 'email' }, 'a@b.co'),
    bad('format email', { format: 'email' }, 'a@b', 'p must be a email, got "a@b"'),
    ok('format uri', { format: 'uri' }, 's3://bucket/key'),
    bad('format uri', { format: 'uri' }, 'no scheme', 'p must be a uri, got "no scheme"'),
    ok('minItems', { minItems: 1 }, [0]),
    bad('minItems', { minItems: 1 }, [], 'p must have at least 1 items, got []'),
    ok('maxItems', { maxItems: 1 }, [0]),
    bad('maxItems', { maxItems: 1 }, [1, 2], 'p must have at most 1 items, got [1,2]'),
    bad(
      'items, with index paths',
      { items: { type: 'integer' } },
      [1, 'x', 2.5],
      'p[1] must be of type integer, got "x"',
      'p[2] must be of type integer, got 2.5',
    ),
    ok('required', { required: ['a'] }, { a: null }),
    bad('required', { required: ['a', 'b'] }, { a: 1 }, 'p must have property "b", got {"a":1}'),
    bad(
      'required is about own properties',
      { required: ['toString'] },
      {},
      'p must have property "toString", got {}',
    ),
    bad(
      'properties, with dotted paths',
      { properties: { n: { type: 'number' }, s: { enum: ['x'] } } },
      { n: '1', s: 'x', other: true },
      'p.n must be of type number, got "1"',
    ),
    bad(
      'additionalProperties false',
      { properties: { a: {} }, additionalProperties: false },
      { a: 1, b: 2 },
      'p must not have property "b", got {"a":1,"b":2}',
    ),
    ok('additionalProperties default allows extras', { properties: { a: {} } }, { b: 2 }),
    bad(
      'nested arrays of objects',
      { items: { properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } },
      [{ id: 1 }, { id: 0 }, {}],
      'p[1].id must be >= 1, got 0',
      'p[2] must have property "id", got {}',
    ),
    bad(
      'several problems at once',
      { minLength: 5, pattern: '^a' },
      'bcd',
      'p must be at least 5 characters, got "bcd"',
      'p must match /^a/, got "bcd"',
    ),
  ])('%s: %j', (_keyword, spec, value, problems) => {
    expect(checkParamValue(spec, value, 'p')).toEqual(problems);
  });

  it('long values are previewed, not printed whole', () => {
    const [problem] = checkParamValue({ maxLength: 1 }, 'x'.repeat(100), 'p');
    expect(problem).toBe(`p must be at most 1 characters, got "${'x'.repeat(56)}...`);
  });
});

describe('checkParamSpec', () => {
  it.each<[name: string, spec: ParamSpec, problems: (string | RegExp)[]]>([
    ['no default: nothing to check', { type: 'integer' }, []],
    ['valid default', { type: 'integer', default: 3, minimum: 1 }, []],
    [
      'default breaks its schema',
      { type: 'integer', default: 0, minimum: 1 },
      ['params.n.default must be >= 1, got 0'],
    ],
    ['invalid pattern', { pattern: '(' }, [/^params\.n\.pattern is not a valid regular expression: /]],
    [
      'invalid pattern in items',
      { type: 'array', items: { pattern: '[' }, default: ['a'] },
      [/^params\.n\.items\.pattern is not a valid regular expression/],
    ],
    [
      'invalid pattern in properties',
      { properties: { s: { pattern: '(' } } },
      [/^params\.n\.properties\.s\.pattern is not a valid regular expression/],
    ],
  ])('%s', (_name, spec, problems) => {
    const found = checkParamSpec('n', spec);
    expect(found).toHaveLength(problems.length);
    for (const [i, p] of problems.entries()) expect(found[i]).toMatch(p);
  });
});

describe('resolveParams (dag_run.conf overrides param defaults)', () => {
  const specs: Record<string, ParamSpec> = {
    limit: { type: 'integer', default: 10, minimum: 1 },
    label: { type: ['string', 'null'] },
  };

  it.each<[name: string, conf: Record<string, never> | Record<string, unknown>, result: unknown]>([
    ['defaults', {}, { ok: true, params: { limit: 10, label: null } }],
    ['conf overrides a default', { limit: 3, label: 'x' }, { ok: true, params: { limit: 3, label: 'x' } }],
    [
      'conf keys without a param are passed through',
      { extra: [1] },
      { ok: true, params: { limit: 10, label: null, extra: [1] } },
    ],
    [
      'an invalid conf value is reported',
      { limit: 0 },
      { ok: false, problems: ['params.limit must be >= 1, got 0'] },
    ],
  ])('%s', (_name, conf, result) => {
    expect(resolveParams(specs, conf as never)).toEqual(result);
  });

  it('a param with neither default nor conf is null and must allow null (Airflow required params)', () => {
    expect(resolveParams({ when: { type: 'string' } }, {})).toEqual({
      ok: false,
      problems: ['params.when must be of type string, got null'],
    });
  });

  it('a param named like an Object.prototype member reads only conf’s own keys', () => {
    expect(resolveParams({ toString: { default: 'x' } }, {})).toEqual({
      ok: true,
      params: { toString: 'x' },
    });
  });
});
