import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dagsTest, useExamplesDir } from './dags-test-harness';

// Per-task environments and memory: dags/isolated_environments.dag.ts and dags/memory_escalation.dag.ts,
// run by the real CLI (`updraft dags test`) with the local executors (venvs, processes, worker threads).
useExamplesDir();
let home = '';
const previousHome = process.env.UPDRAFT_HOME;
beforeAll(async () => {
  // Venvs are built under <UPDRAFT_HOME>/envs: a fresh folder, so the first run really builds them.
  home = await mkdtemp(path.join(tmpdir(), 'updraft-envs-home-'));
  process.env.UPDRAFT_HOME = home;
});
afterAll(async () => {
  if (previousHome === undefined) delete process.env.UPDRAFT_HOME;
  else process.env.UPDRAFT_HOME = previousHome;
  await rm(home, { recursive: true, force: true });
});

describe('isolated_environments', () => {
  it('runs two Python tasks pinned to conflicting mylib versions, a container task and a TS task', async () => {
    const { json, logs } = await dagsTest('isolated_environments');
    expect(json.task_instances.map((t) => [t.task_id, t.state])).toEqual([
      ['summarize_mylib_1', 'success'],
      ['summarize_mylib_2', 'success'],
      ['compare', 'success'],
      ['report', 'success'],
    ]);
    // Each Python task imported its own version, from its own venv (params.values = [2, 4, 6]).
    expect(logs).toContain('[summarize_mylib_1 #1] {"mylib": "1.0", "summary": 12}');
    expect(logs).toContain('[summarize_mylib_2 #1] {"mylib": "2.0", "summary": 4.0}');
    expect(logs).toMatch(
      /\[summarize_mylib_1 #1\] python 3\.\d+\.\d+, mylib 1\.0 from .*envs\/[0-9a-f]{16}\//,
    );
    // The container got both XComs as JSON arguments (templated), and the TS task its verdict.
    expect(logs).toContain('[compare #1] {"versions": ["1.0", "2.0"], "agree": false}');
    expect(logs).toContain('[report #1] mylib 1.0 and 2.0 disagree');
    // Two environments, two venvs, named by their content hash.
    expect((await readdir(path.join(home, 'envs'))).filter((e) => /^[0-9a-f]{16}$/.test(e))).toHaveLength(2);
  }, 180_000);
});

describe('memory_escalation', () => {
  it('names the out-of-memory end of a TS task and of a process, and retries each with double the memory', async () => {
    const { json, logs } = await dagsTest('memory_escalation');
    expect(json.task_instances.map((t) => [t.task_id, t.state, t.try_number])).toEqual([
      ['build_index', 'success', 2],
      ['crunch', 'success', 2],
    ]);
    expect(logs).toContain(
      '[build_index #1] WARN attempt 1 ended up_for_retry: out_of_memory: TypeScript task exceeded its heap of 384 MiB (limit 512 MiB); retrying with 1024 MiB (onOutOfMemory)',
    );
    expect(logs).toMatch(
      /\[crunch #1\] WARN attempt 1 ended up_for_retry: out_of_memory: container killed for exceeding its memory \(exit 137\) \(limit 512 MiB, peak \d+ MiB\); retrying with 1024 MiB/,
    );
    expect(logs).toContain(
      '[build_index #2] starting attempt 2 of build_index (function) with 1024 MiB after out-of-memory escalation',
    );
    expect(logs).toContain('[build_index #2] indexed 75 chunks of a million numbers');
    expect(logs).toContain('[crunch #2] 600');
  }, 120_000);
});
