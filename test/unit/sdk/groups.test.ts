import { describe, expect, it } from 'vitest';
import { dag, empty, group, task } from '../../../functions/sdk';
import { definitionError, edgesOf, specOf, taskOf } from './helpers';

const load = task('load', (_ctx, rows: number) => rows);

describe('task groups (Airflow TaskGroup)', () => {
  it('prefixes ids and records the group path, nested groups included', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        empty('top');
        group('outer', () => {
          empty('a');
          group('inner', () => load(1));
        });
      }),
    );
    expect(spec.tasks.map((t) => [t.taskId, t.group])).toEqual([
      ['top', undefined],
      ['outer.a', 'outer'],
      ['outer.inner.load', 'outer.inner'],
    ]);
    expect(taskOf(spec, 'top')).not.toHaveProperty('group');
  });

  it.each<[name: string, build: () => void, edges: Record<string, string[]>]>([
    [
      'edges into a group attach to its roots, edges out leave its leaves',
      () => {
        const start = empty('start');
        const g = group('g', () => {
          empty('a').then(empty('b'));
          empty('c');
        });
        start.then(g).then(empty('end'));
      },
      { start: [], 'g.a': ['start'], 'g.b': ['g.a'], 'g.c': ['start'], end: ['g.b', 'g.c'] },
    ],
    [
      'nested groups: roots and leaves are found through every level',
      () => {
        const outer = group('outer', () => {
          const inner = group('inner', () => empty('x').then(empty('y')));
          inner.then(empty('z'));
        });
        empty('start').then(outer).then(empty('end'));
      },
      {
        'outer.inner.x': ['start'],
        'outer.inner.y': ['outer.inner.x'],
        'outer.z': ['outer.inner.y'],
        start: [],
        end: ['outer.z'],
      },
    ],
    [
      'group to group',
      () => {
        const g1 = group('g1', () => [empty('a'), empty('b')]);
        const g2 = group('g2', () => empty('c'));
        g1.then(g2);
      },
      { 'g1.a': [], 'g1.b': [], 'g2.c': ['g1.a', 'g1.b'] },
    ],
    [
      'data passing into and out of a group',
      () => {
        const rows = group('extract', () => load(5)).output;
        load(rows);
      },
      { 'extract.load': [], load: ['extract.load'] },
    ],
  ])('%s', (_name, build, edges) => {
    expect(edgesOf(specOf(dag({ dagId: 'd' }, build)))).toEqual(edges);
  });

  it('output is what the define callback returned', () => {
    dag({ dagId: 'd' }, () => {
      const g = group('g', () => ({ answer: 42, task: empty('t') }));
      expect(g.output.answer).toBe(42);
      expect(g.groupId).toBe('g');
      expect(g.output.task.taskId).toBe('g.t');
    });
  });

  it.each<[name: string, build: () => void, message: string]>([
    ['an empty group', () => group('g', () => undefined), 'task group "g" has no tasks'],
    [
      'an empty nested group',
      () => group('g', () => group('inner', () => undefined)),
      'task group "g.inner" has no tasks',
    ],
    [
      'a group id used twice',
      () => {
        group('g', () => empty('a'));
        group('g', () => empty('b'));
      },
      'task group id "g" is used twice',
    ],
    [
      'a group id equal to a task id',
      () => {
        empty('g');
        group('g', () => empty('b'));
      },
      'task group id "g" is used twice',
    ],
    [
      'an async group callback',
      () =>
        group('g', async () => {
          empty('a');
        }),
      'the group("g") callback must be synchronous, but it returned a promise',
    ],
  ])('%s is an error', (_name, build, message) => {
    const error = definitionError(() => dag({ dagId: 'd' }, build));
    expect(error.message).toBe(message);
    expect(error.details.dagId).toBe('d');
  });

  it('after a group closes, new tasks are top-level again', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        try {
          group('g', () => {
            empty('inside');
            throw new Error('boom');
          });
        } catch {
          // the group is closed even when its callback throws
        }
        empty('after');
      }),
    );
    expect(spec.tasks.map((t) => t.taskId)).toEqual(['g.inside', 'after']);
  });
});
