import { describe, expect, it } from 'vitest';
import {
  allDownstream,
  allUpstream,
  buildGraph,
  findCycle,
  leaves,
  roots,
  topologicalOrder,
} from '../../../functions/core/graph';

/** `b<a,c` → task b with upstream a and c; `a` → a root. Declaration order is list order. */
const graphOf = (...specs: string[]) =>
  buildGraph(
    specs.map((spec) => {
      const [taskId, ups = ''] = spec.split('<');
      return { taskId: taskId!, upstream: ups ? ups.split(',') : [] };
    }),
  );

const chainOf = (n: number) =>
  buildGraph(
    Array.from({ length: n }, (_, i) => ({ taskId: `t${i}`, upstream: i === 0 ? [] : [`t${i - 1}`] })),
  );

describe('buildGraph', () => {
  it('keeps declaration order, dedupes upstream ids and drops unknown ones', () => {
    const g = graphOf('b<a,a,ghost', 'a');
    expect(g.ids).toEqual(['b', 'a']);
    expect(g.upstreamOf('b')).toEqual(['a']);
    expect(g.downstreamOf('a')).toEqual(['b']);
    expect(g.upstreamOf('ghost')).toEqual([]);
    expect(g.downstreamOf('ghost')).toEqual([]);
  });
});

describe('topologicalOrder', () => {
  it.each<[name: string, specs: string[], order: string[]]>([
    ['empty', [], []],
    ['independent tasks keep declaration order', ['c', 'a', 'b'], ['c', 'a', 'b']],
    ['a chain declared backwards', ['c<b', 'b<a', 'a'], ['a', 'b', 'c']],
    ['diamond', ['a', 'b<a', 'c<a', 'd<b,c'], ['a', 'b', 'c', 'd']],
    ['diamond, branches declared in the other order', ['a', 'c<a', 'b<a', 'd<b,c'], ['a', 'c', 'b', 'd']],
    ['roots first, then by when they become ready', ['x<a', 'a', 'b', 'y<b'], ['a', 'b', 'x', 'y']],
    ['unknown upstream ids are ignored', ['a<ghost', 'b<a'], ['a', 'b']],
  ])('%s', (_name, specs, order) => {
    expect(topologicalOrder(graphOf(...specs))).toEqual(order);
  });

  it('is stable: the same input gives the same order', () => {
    const specs = ['e<c,d', 'a', 'c<a', 'b', 'd<b'];
    expect(topologicalOrder(graphOf(...specs))).toEqual(topologicalOrder(graphOf(...specs)));
    expect(topologicalOrder(graphOf(...specs))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('throws on a cycle, naming it', () => {
    expect(() => topologicalOrder(graphOf('a<b', 'b<a', 'c'))).toThrow('cycle in task graph: a → b → a');
  });
});

describe('roots, leaves, allDownstream, allUpstream', () => {
  // a → b → d, a → c → d, e alone
  const g = graphOf('a', 'b<a', 'c<a', 'd<b,c', 'e');

  it('roots have no upstream, leaves no downstream (declaration order)', () => {
    expect(roots(g)).toEqual(['a', 'e']);
    expect(leaves(g)).toEqual(['d', 'e']);
  });

  it.each<[id: string, down: string[], up: string[]]>([
    ['a', ['b', 'c', 'd'], []],
    ['b', ['d'], ['a']],
    ['d', [], ['a', 'b', 'c']],
    ['e', [], []],
    ['ghost', [], []],
  ])('%s', (id, down, up) => {
    expect([...allDownstream(g, id)].sort()).toEqual(down);
    expect([...allUpstream(g, id)].sort()).toEqual(up);
  });
});

describe('findCycle', () => {
  it.each<[name: string, specs: string[], cycle: string[] | undefined]>([
    ['no tasks', [], undefined],
    ['a chain', ['a', 'b<a', 'c<b'], undefined],
    ['a diamond is not a cycle', ['a', 'b<a', 'c<a', 'd<b,c'], undefined],
    ['two paths to the same task are not a cycle', ['a', 'b<a', 'c<a,b'], undefined],
    ['self-loop', ['a<a'], ['a', 'a']],
    ['two tasks', ['a<b', 'b<a'], ['a', 'b', 'a']],
    ['long cycle', ['a<d', 'b<a', 'c<b', 'd<c'], ['a', 'b', 'c', 'd', 'a']],
    [
      'cycle behind a clean prefix starts at the cycle',
      ['root', 'x<root,z', 'y<x', 'z<y'],
      ['x', 'y', 'z', 'x'],
    ],
    ['cycle in a second component', ['a', 'b<a', 'p<q', 'q<p'], ['p', 'q', 'p']],
  ])('%s', (_name, specs, cycle) => {
    expect(findCycle(graphOf(...specs))).toEqual(cycle);
  });
});

describe('deep graphs do not overflow the stack', () => {
  const n = 10_000;
  const g = chainOf(n);

  it('a 10,000-task chain: order, cycle check, reachability', () => {
    expect(topologicalOrder(g)).toHaveLength(n);
    expect(topologicalOrder(g).at(-1)).toBe(`t${n - 1}`);
    expect(findCycle(g)).toBeUndefined();
    expect(allDownstream(g, 't0').size).toBe(n - 1);
    expect(allUpstream(g, `t${n - 1}`).size).toBe(n - 1);
    expect(roots(g)).toEqual(['t0']);
    expect(leaves(g)).toEqual([`t${n - 1}`]);
  });

  it('a 10,000-task cycle is found', () => {
    const tasks = Array.from({ length: n }, (_, i) => ({
      taskId: `t${i}`,
      upstream: [`t${(i + n - 1) % n}`],
    }));
    const cycle = findCycle(buildGraph(tasks));
    expect(cycle).toHaveLength(n + 1);
    expect(cycle?.[0]).toBe(cycle?.at(-1));
  });

  it('a wide fan-out of 10,000 tasks', () => {
    const wide = graphOf(
      'root',
      ...Array.from({ length: n }, (_, i) => `w${i}<root`),
      `sink<${Array.from({ length: n }, (_, i) => `w${i}`).join(',')}`,
    );
    expect(topologicalOrder(wide).at(-1)).toBe('sink');
    expect(allDownstream(wide, 'root').size).toBe(n + 1);
  });
});
