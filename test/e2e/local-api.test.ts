import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../scripts/local/stack';

const TOKEN = 'e2e-token';
let stack: Awaited<ReturnType<typeof startLocalStack>>;

beforeAll(async () => {
  stack = await startLocalStack({
    dagsFolder: 'test/fixtures/dags/runtime',
    token: TOKEN,
    port: 0,
    tickSeconds: 1,
  });
}, 60_000);
afterAll(() => stack?.stop());

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });

describe('local API server over the emulators, scheduler and workers running', () => {
  it('triggers with conf over HTTP, runs to success, and serves the logs', async () => {
    const created = await api('/api/v1/dags/rt_linear/dagRuns', {
      method: 'POST',
      body: JSON.stringify({ conf: { by: 'e2e' } }),
    });
    expect(created.status).toBe(200);
    const run = (await created.json()) as { dag_run_id: string; conf: unknown };
    expect(run.conf).toEqual({ by: 'e2e' });
    const runPath = `/api/v1/dags/rt_linear/dagRuns/${encodeURIComponent(run.dag_run_id)}`;
    let state = 'queued';
    for (let i = 0; i < 100 && state !== 'success' && state !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      state = ((await (await api(runPath)).json()) as { state: string }).state;
    }
    expect(state).toBe('success');
    const tis = (await (await api(`${runPath}/taskInstances`)).json()) as {
      task_instances: { task_id: string; state: string }[];
    };
    expect(tis.task_instances.map((t) => [t.task_id, t.state])).toEqual([
      ['extract', 'success'],
      ['total', 'success'],
      ['report', 'success'],
    ]);
    const log = await api(`${runPath}/taskInstances/extract/logs/1`, { headers: { accept: 'text/plain' } });
    expect(log.status).toBe(200);
    expect(await log.text()).toMatch(/INFO - extracting for \d{4}-\d{2}-\d{2}/);
  }, 60_000);

  it('refuses requests without the token, and answers health without one', async () => {
    expect((await fetch(`${stack.url}/api/v1/dags`)).status).toBe(401);
    expect((await fetch(`${stack.url}/api/v1/health`)).status).toBe(200);
  });
});
