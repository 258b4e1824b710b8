import { describe, expectTypeOf, it } from 'vitest';
import {
  branch,
  dag,
  empty,
  type GroupRef,
  group,
  type JsonValue,
  type TaskContext,
  type TaskRef,
  task,
  type XComArg,
} from '../../../functions/sdk';

// Compile-time contracts: `npm test` runs `tsc --noEmit` over test/, so each `@ts-expect-error`
// fails the build if the line it marks ever starts to compile. The runtime side only declares tasks.

const words = task('words', () => 'a b c');
const numbers = task('numbers', () => [1, 2, 3]);
const strings = task('strings', () => ['a', 'b']);
const total = task('total', (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
const double = task('double', (_ctx, n: number) => n * 2);
const scale = task('scale', (_ctx, n: number, by: number) => n * by);
const fetchRows = task('fetch', async () => ({ rows: 3 }));

describe('TaskFlow types', () => {
  it('a task reference carries the (awaited) return type', () => {
    dag({ dagId: 'types_refs' }, () => {
      expectTypeOf(words()).toEqualTypeOf<TaskRef<string>>();
      expectTypeOf(fetchRows()).toEqualTypeOf<TaskRef<{ rows: number }>>();
      expectTypeOf(double.expand([1])).toEqualTypeOf<TaskRef<number[]>>();
      expectTypeOf(empty('e')).toEqualTypeOf<TaskRef<null>>();
      expectTypeOf(numbers().xcom<number>('count')).toEqualTypeOf<XComArg<number>>();
      expectTypeOf(group('g', () => empty('inside').taskId.length)).toEqualTypeOf<GroupRef<number>>();
    });
  });

  it('the task function gets a typed context first', () => {
    task('ctx', (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
      expectTypeOf(ctx.params).toEqualTypeOf<Record<string, JsonValue>>();
      return ctx.ds;
    });
  });

  it('arguments must match the parameter types, as values or as upstream outputs', () => {
    dag({ dagId: 'types_args' }, () => {
      total(numbers());
      total([1, 2]);
      scale(double(2), 3);
      // @ts-expect-error a TaskRef<string> is not a number[]
      total(words());
      // @ts-expect-error a TaskRef<string[]> is not a number[]
      total(strings());
      // @ts-expect-error a string literal is not a number[]
      total('1,2');
      // @ts-expect-error the argument is required
      total();
      // @ts-expect-error one argument too many
      double(1, 2);
      // @ts-expect-error an XComArg of the wrong type is rejected too
      double(numbers().xcom<string>('label'));
    });
  });

  it('expand maps over a list (or list output) of the first parameter type', () => {
    dag({ dagId: 'types_expand' }, () => {
      double.expand(numbers());
      double.expand([1, 2, 3]);
      scale.expand(numbers(), 10);
      scale.expand([1], double(1));
      // @ts-expect-error XComArg<string[]> cannot feed a (ctx, n: number) task
      double.expand(strings());
      // @ts-expect-error the list elements must be numbers
      double.expand(['1']);
      // @ts-expect-error expand needs a list, not one number
      double.expand(1);
      // @ts-expect-error the fixed arguments keep their types
      scale.expand([1], 'ten');
    });
    const noArgs = task('no_args', () => 1);
    expectTypeOf(noArgs.expand).parameters.toEqualTypeOf<never>();
  });

  it('a branch returns task ids', () => {
    branch('ok', () => ['a', 'b']);
    branch('none', () => null);
    // @ts-expect-error a branch must return a task id, a list of ids or null
    branch('bad', () => 42);
  });
});
