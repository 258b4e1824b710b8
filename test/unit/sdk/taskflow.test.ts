import { describe, expect, it } from 'vitest';
import type { InputSpec, JsonValue } from '../../../functions/core/model';
import { chain, DagDefinitionError, dag, empty, group, task } from '../../../functions/sdk';
import { definitionError, edgesOf, specOf, taskOf } from './helpers';

const extract = task('extract', () => [1, 2, 3]);
const total = task('total', (_ctx, xs: number[], factor: number) => xs.reduce((a, b) => a + b, 0) * factor);
const double = task('double', (_ctx, n: number) => n * 2);
const add = task('add', (_ctx, n: number, plus: number) => n + plus);
const sum = task('sum', (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
const echo = task('echo', (_ctx, value: unknown) => value);

const xcom = (taskId: string, key = 'return_value'): InputSpec => ({ kind: 'xcom', taskId, key });
const literal = (value: JsonValue): InputSpec => ({ kind: 'literal', value });

describe('TaskFlow data passing', () => {
  it('an upstream output becomes an xcom input and an upstream edge; literals stay literals', () => {
    const spec = specOf(dag({ dagId: 'd' }, () => total(extract(), 10)));
    expect(taskOf(spec, 'total')).toMatchObject({
      operator: { kind: 'function' },
      upstream: ['extract'],
      inputs: [xcom('extract'), literal(10)],
    });
    expect(taskOf(spec, 'extract')).toMatchObject({ upstream: [], inputs: [] });
  });

  it('the same upstream passed twice is one edge and two inputs', () => {
    const pair = task('pair', (_ctx, a: number[], b: number[]) => [a, b]);
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        const e = extract();
        pair(e, e);
      }),
    );
    expect(taskOf(spec, 'pair')).toMatchObject({
      upstream: ['extract'],
      inputs: [xcom('extract'), xcom('extract')],
    });
  });

  it('another XCom key of a task (task.output["key"])', () => {
    const spec = specOf(dag({ dagId: 'd' }, () => echo(extract().xcom('row_count'))));
    expect(taskOf(spec, 'echo')).toMatchObject({
      upstream: ['extract'],
      inputs: [xcom('extract', 'row_count')],
    });
  });

  it('JSON literals are copied deeply', () => {
    const config = { nested: { list: [1, 'two', null, true] } };
    const spec = specOf(dag({ dagId: 'd' }, () => echo(config)));
    config.nested.list.push('later');
    expect(taskOf(spec, 'echo').inputs).toEqual([literal({ nested: { list: [1, 'two', null, true] } })]);
  });

  it('a task function reused in one DAG gets id__1, id__2 (Airflow)', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        const e = extract();
        sum(e);
        sum(e);
        sum(e);
        group('g', () => {
          sum(e);
          sum(e);
        });
      }),
    );
    expect(spec.tasks.map((t) => t.taskId)).toEqual([
      'extract',
      'sum',
      'sum__1',
      'sum__2',
      'g.sum',
      'g.sum__1',
    ]);
  });

  it('override() changes options, including the id', () => {
    const spec = specOf(dag({ dagId: 'd' }, () => extract.override({ taskId: 'pull', retries: 4 })()));
    expect(taskOf(spec, 'pull')).toMatchObject({ retries: 4 });
    expect(extract.override({ retries: 1 }).taskId).toBe('extract');
    expect(extract.taskId).toBe('extract');
  });

  it('the same factory can be used by two DAGs', () => {
    const one = specOf(dag({ dagId: 'one' }, () => extract()));
    const two = specOf(dag({ dagId: 'two' }, () => extract()));
    expect([one.tasks[0]!.taskId, two.tasks[0]!.taskId]).toEqual(['extract', 'extract']);
  });

  it('a DAG defined inside another DAG’s callback gets its own tasks', () => {
    let inner: ReturnType<typeof dag> | undefined;
    const outer = dag({ dagId: 'outer' }, () => {
      extract();
      inner = dag({ dagId: 'inner' }, () => sum([1]));
      sum([2]);
    });
    expect(specOf(outer).tasks.map((t) => t.taskId)).toEqual(['extract', 'sum']);
    expect(specOf(inner!).tasks.map((t) => t.taskId)).toEqual(['sum']);
  });
});

describe('dynamic task mapping: expand', () => {
  it.each<[name: string, build: () => unknown, task: string, expected: object]>([
    [
      'over a literal list',
      () => double.expand([1, 2, 3]),
      'double',
      { mapped: { over: literal([1, 2, 3]) }, inputs: [], upstream: [] },
    ],
    [
      'over an upstream output',
      () => double.expand(extract()),
      'double',
      { mapped: { over: xcom('extract') }, upstream: ['extract'] },
    ],
    [
      'with fixed arguments after the mapped one',
      () => add.expand([1, 2], 10),
      'add',
      { mapped: { over: literal([1, 2]) }, inputs: [literal(10)] },
    ],
    [
      'the mapped result feeds downstream as a list',
      () => sum(double.expand([1, 2])),
      'sum',
      { upstream: ['double'], inputs: [xcom('double')] },
    ],
  ])('%s', (_name, build, taskId, expected) => {
    expect(taskOf(specOf(dag({ dagId: 'd' }, build)), taskId)).toMatchObject(expected);
  });

  it('an unmapped task has no mapped field', () => {
    expect(taskOf(specOf(dag({ dagId: 'd' }, () => double(1))), 'double')).not.toHaveProperty('mapped');
  });

  it('a non-JSON list to expand over is rejected', () => {
    const error = definitionError(() => dag({ dagId: 'd' }, () => double.expand([new Date(0)] as never)));
    expect(error.message).toBe('expand is not JSON data: an instance of Array');
  });
});

describe('non-JSON literal arguments are rejected with a clear message', () => {
  class Point {
    x = 1;
  }
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  it.each<[name: string, value: unknown, message: string]>([
    ['a function', () => 1, 'argument 1 is not JSON data: a function'],
    ['a Date', new Date(0), 'argument 1 is not JSON data: a Date (pass value.toISOString())'],
    ['a Map', new Map(), 'argument 1 is not JSON data: an instance of Map'],
    ['a class instance', new Point(), 'argument 1 is not JSON data: an instance of Point'],
    ['undefined', undefined, 'argument 1 is not JSON data: undefined'],
    ['NaN', Number.NaN, 'argument 1 is not JSON data: NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'argument 1 is not JSON data: Infinity'],
    ['a nested Date', { when: new Date(0) }, 'argument 1 is not JSON data: an instance of Object'],
    ['a BigInt', 10n, 'argument 1 is not JSON data: a bigint (10n)'],
    ['a circular object', circular, 'argument 1 is not JSON data: an instance of Object'],
    ['a symbol', Symbol('s'), 'argument 1 is not JSON data: Symbol(s)'],
  ])('%s', (_name, value, message) => {
    const error = definitionError(() => dag({ dagId: 'd' }, () => echo(value)));
    expect(error.message).toBe(message);
    expect(error.details).toMatchObject({
      dagId: 'd',
      taskId: 'echo',
      field: 'inputs',
      fix: expect.stringMatching(/JSON values/),
    });
  });

  it('names the argument position', () => {
    expect(definitionError(() => dag({ dagId: 'd' }, () => add(1, (() => 2) as never))).message).toBe(
      'argument 2 is not JSON data: a function',
    );
  });
});

describe('tasks outside dag()', () => {
  it.each<[name: string, create: () => unknown, message: string]>([
    ['a TaskFlow task', () => extract(), 'task "extract" was created outside a DAG'],
    ['a mapped task', () => double.expand([1]), 'task "double" was created outside a DAG'],
    ['an operator', () => empty('e'), 'task "e" was created outside a DAG'],
    ['a task group', () => group('g', () => empty('e')), 'task group "g" was created outside a DAG'],
  ])('%s is rejected', (_name, create, message) => {
    const error = definitionError(create);
    expect(error.message).toBe(message);
    expect(error.details.fix).toMatch(/inside dag\(/);
  });

  it('a task created after dag() returned is rejected', () => {
    let later: () => unknown = () => undefined;
    dag({ dagId: 'd' }, () => {
      later = () => extract();
    });
    expect(definitionError(later).message).toMatch(/outside a DAG/);
  });
});

describe('dependencies: .then', () => {
  it.each<[name: string, build: () => void, edges: Record<string, string[]>]>([
    ['single', () => void empty('a').then(empty('b')), { a: [], b: ['a'] }],
    ['chained', () => void empty('a').then(empty('b')).then(empty('c')), { a: [], b: ['a'], c: ['b'] }],
    [
      'fan-out to a list',
      () => void empty('a').then([empty('b'), empty('c')]),
      { a: [], b: ['a'], c: ['a'] },
    ],
    [
      'fan-in with nested lists',
      () => {
        const d = empty('d');
        empty('a').then([[empty('b')], [empty('c')]]);
        empty('x').then(d);
        empty('y').then(d);
      },
      { d: ['x', 'y'], a: [], b: ['a'], c: ['a'], x: [], y: [] },
    ],
    [
      'repeating an edge is harmless',
      () => {
        const a = empty('a');
        const b = empty('b');
        a.then(b);
        a.then(b);
      },
      { a: [], b: ['a'] },
    ],
    [
      'data and explicit edges combine',
      () => void empty('gate').then(sum(extract())),
      { gate: [], extract: [], sum: ['extract', 'gate'] },
    ],
  ])('%s', (_name, build, edges) => {
    expect(edgesOf(specOf(dag({ dagId: 'd' }, build)))).toEqual(edges);
  });

  it('returns its argument, for chaining', () => {
    dag({ dagId: 'd' }, () => {
      const b = empty('b');
      const list = [empty('c')];
      expect(empty('a').then(b)).toBe(b);
      expect(b.then(list)).toBe(list);
    });
  });

  it('awaiting a task rejects with a clear error', async () => {
    let ref: unknown;
    dag({ dagId: 'd' }, () => {
      ref = extract();
    });
    const awaited = (async () => await ref)();
    await expect(awaited).rejects.toThrow(DagDefinitionError);
    await expect((async () => await ref)()).rejects.toThrow(
      'a task is not a promise: do not await tasks or task groups',
    );
  });

  it('an async define callback is rejected at once (tasks after an await would be lost)', () => {
    const error = definitionError(() =>
      dag({ dagId: 'd' }, async () => {
        const e = extract();
        // @ts-expect-error TypeScript already refuses to await a task (its `then` is not a promise's)
        await e;
        sum(e);
      }),
    );
    expect(error.message).toMatch(/synchronous/);
    expect(error.details).toMatchObject({ dagId: 'd' });
  });

  it('rejects things that are not tasks', () => {
    dag({ dagId: 'd' }, () => {
      expect(definitionError(() => empty('a').then('b' as never)).message).toBe(
        'not a task or task group: b',
      );
    });
  });

  it('rejects edges between DAGs', () => {
    let a: ReturnType<typeof empty> | undefined;
    dag({ dagId: 'one' }, () => {
      a = empty('a');
    });
    dag({ dagId: 'two' }, () => {
      expect(definitionError(() => a!.then(empty('b'))).message).toBe(
        'cannot connect tasks of different DAGs',
      );
    });
  });
});

describe('dependencies: chain (Airflow chain)', () => {
  it.each<[name: string, build: () => void, edges: Record<string, string[]>]>([
    [
      'nothing to chain',
      () => {
        chain();
        chain(empty('a'));
      },
      { a: [] },
    ],
    ['a sequence', () => chain(empty('a'), empty('b'), empty('c')), { a: [], b: ['a'], c: ['b'] }],
    [
      'a list in the middle fans out and in',
      () => chain(empty('a'), [empty('b'), empty('c')], empty('d')),
      { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] },
    ],
    [
      'two adjacent lists are paired element-wise',
      () => chain([empty('a'), empty('b')], [empty('c'), empty('d')]),
      { a: [], b: [], c: ['a'], d: ['b'] },
    ],
    [
      'paired lists, then a join',
      () => chain(empty('s'), [empty('a'), empty('b')], [empty('c'), empty('d')], empty('e')),
      { s: [], a: ['s'], b: ['s'], c: ['a'], d: ['b'], e: ['c', 'd'] },
    ],
    [
      'groups in a chain',
      () =>
        chain(
          empty('start'),
          group('g', () => empty('x').then(empty('y'))),
          empty('end'),
        ),
      { start: [], 'g.x': ['start'], 'g.y': ['g.x'], end: ['g.y'] },
    ],
  ])('%s', (_name, build, edges) => {
    const spec = specOf(dag({ dagId: 'd' }, build));
    expect(edgesOf(spec)).toEqual(edges);
  });

  it('adjacent lists of unequal length are an error', () => {
    const error = definitionError(() =>
      dag({ dagId: 'd' }, () => chain([empty('a'), empty('b')], [empty('c')])),
    );
    expect(error.message).toBe('chain: adjacent lists must have the same length, got 2 and 1');
    expect(error.details.fix).toMatch(/equal length/);
  });
});

describe('XCom references are branded', () => {
  it('keeps a plain { taskId, key } object a literal, while .xcom(key) is a reference and an edge', () => {
    const spec = specOf(
      dag({ dagId: 'brand' }, () => {
        const source = extract();
        echo({ taskId: 'extract', key: 'return_value' }).then(empty('after_literal'));
        echo.override({ taskId: 'echo_ref' })(source.xcom('rows'));
      }),
    );
    expect(taskOf(spec, 'echo').inputs).toEqual([literal({ taskId: 'extract', key: 'return_value' })]);
    expect(taskOf(spec, 'echo').upstream).toEqual([]);
    expect(taskOf(spec, 'echo_ref').inputs).toEqual([xcom('extract', 'rows')]);
    expect(taskOf(spec, 'echo_ref').upstream).toEqual(['extract']);
  });
});
