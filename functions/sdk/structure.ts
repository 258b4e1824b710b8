import { DagDefinitionError } from '../core/dag-definition';
import { currentBuilder } from './builder';
import { connect, type Dependable, GroupRef } from './refs';

/**
 * Task group (Airflow's TaskGroup): ids declared inside are prefixed `groupId.`; edges to the
 * group attach to its roots, edges from it leave its leaves.
 */
export function group<T>(groupId: string, define: () => T): GroupRef<T> {
  const builder = currentBuilder(`task group "${groupId}"`);
  const { prefix, value } = builder.inGroup(groupId, define);
  if (builder.membersOf(prefix).length === 0) {
    throw new DagDefinitionError(`task group "${prefix}" has no tasks`, {
      dagId: builder.dagId,
      field: 'group',
    });
  }
  return new GroupRef(builder, prefix, value);
}

/**
 * Sets dependencies in order (Airflow's `chain`): `chain(a, [b, c], d)` makes a → b, a → c,
 * b → d, c → d; two adjacent lists of equal length are paired element-wise.
 */
export function chain(...nodes: Dependable[]): void {
  for (let i = 0; i + 1 < nodes.length; i++) {
    const from = nodes[i]!;
    const to = nodes[i + 1]!;
    if (Array.isArray(from) && Array.isArray(to)) {
      if (from.length !== to.length) {
        throw new DagDefinitionError(
          `chain: adjacent lists must have the same length, got ${from.length} and ${to.length}`,
          { fix: 'pair lists of equal length, or put a single task between them' },
        );
      }
      for (const [j, f] of from.entries()) connect(f, to[j]!);
    } else {
      connect(from, to);
    }
  }
}
