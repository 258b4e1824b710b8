import { describe, expect, it } from 'vitest';
import { useLocalStack } from './api-harness';

const stack = useLocalStack('cli-pools-token', 'test/fixtures/dags/pools');

interface Pool {
  name: string;
  slots: number;
  occupied_slots: number;
  open_slots: number;
  description: string | null;
}

describe('updraft pools against a local stack', () => {
  it('lists default_pool, creates and resizes a pool, keeping its description', async () => {
    const listed = await stack.cli('pools', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^pool\s+slots\s+occupied\s+running\s+queued\s+open\s+description$/m);
    expect(listed.stdout).toMatch(/^default_pool\s+128\s+0\s+0\s+0\s+128\s+Default pool$/m);

    const created = await stack.cli('pools', 'set', 'dwh', '2', '--description', 'the warehouse');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('pool dwh created: 2 slots, 2 open');
    const resized = await stack.cli('pools', 'set', 'dwh', '3', '--json');
    expect(resized.code, resized.stderr).toBe(0);
    expect(JSON.parse(resized.stdout)).toMatchObject({ name: 'dwh', slots: 3, description: 'the warehouse' });

    const json = await stack.cli('pools', 'list', '--json');
    const body = JSON.parse(json.stdout) as { pools: Pool[]; total_entries: number };
    expect(body.pools.map((p) => `${p.name}=${p.slots}`)).toEqual(['default_pool=128', 'dwh=3']);
    expect(body.total_entries).toBe(2);
  });

  it('deletes a pool; default_pool and unknown pools are refused with the reason', async () => {
    expect((await stack.cli('pools', 'set', 'scratch', '1')).code).toBe(0);
    const deleted = await stack.cli('pools', 'delete', 'scratch');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout.trim()).toBe('pool scratch deleted');
    const again = await stack.cli('pools', 'delete', 'scratch');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("Pool with name:'scratch' not found");
    const protectedPool = await stack.cli('pools', 'delete', 'default_pool');
    expect(protectedPool.code).toBe(2);
    expect(protectedPool.stderr).toContain('default_pool cannot be deleted; resize it instead');
    const bad = await stack.cli('pools', 'set', 'p', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a whole number of slots');
  });

  it('the local scheduler keeps two DAG runs within a 1-slot pool, and both finish', async () => {
    expect((await stack.cli('pools', 'set', 'warehouse', '1')).code).toBe(0);
    for (const dagId of ['pool_roots', 'pool_fanned']) {
      const triggered = await stack.cli('trigger', dagId, '--run-id', 'pooled');
      expect(triggered.code, triggered.stderr).toBe(0);
    }
    const occupied: number[] = [];
    const finished = async () => {
      const states = await Promise.all(
        ['pool_roots', 'pool_fanned'].map(
          async (dagId) => (await stack.get<{ state: string }>(`/dags/${dagId}/dagRuns/pooled`)).state,
        ),
      );
      return states.every((s) => s === 'success');
    };
    for (let i = 0; i < 300 && !(await finished()); i++) {
      occupied.push((await stack.get<Pool>('/pools/warehouse')).occupied_slots);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await finished()).toBe(true);
    expect(Math.max(...occupied)).toBeLessThanOrEqual(1);
    expect(occupied.some((n) => n === 1)).toBe(true);
  }, 60_000);
});
