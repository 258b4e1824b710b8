import { describe, expect, it } from 'vitest';
import { apiFixture } from './events';

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY: unknown[] = [
  null,
  true,
  -1,
  1e308,
  Number.NaN,
  '',
  ' ',
  '🚀 ünïcödé',
  "'; DROP TABLE runs; --",
  '{{ 7*7 }}',
  '../../etc/passwd',
  '\u0000\u0001',
  'x'.repeat(300),
  [],
  [1, 'a'],
  {},
  { $where: '1' },
  { __proto__: { polluted: true } },
  '2024-13-45T99:99:99Z',
];

describe('API fuzz: malformed input never causes a 5xx or a state change', () => {
  it('survives 400 random trigger bodies', async () => {
    const { call, ports } = await apiFixture();
    const next = random(42);
    const pick = () => NASTY[Math.floor(next() * NASTY.length)];
    const fields = ['dag_run_id', 'logical_date', 'execution_date', 'conf', 'note', 'state', 'bogus'];
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const body: Record<string, unknown> = {};
      for (const field of fields) if (next() < 0.35) body[field] = pick();
      const raw = next() < 0.1 ? JSON.stringify(body).slice(0, Math.floor(next() * 20)) : body;
      const response = await call('POST', '/api/v1/dags/rt_linear/dagRuns', { body: raw });
      expect(response.status, `case ${i}: ${JSON.stringify(raw)}`).toBeLessThan(500);
      if (response.status === 200) accepted++;
      else expect(response.type).toBe('application/problem+json');
    }
    // Only well-formed bodies created runs (an empty or conf-only body is valid).
    expect((await ports.store.listRuns('rt_linear')).total).toBe(accepted);
  });

  it('survives random query strings and path segments on every GET route', async () => {
    const { call } = await apiFixture();
    const next = random(7);
    const junk = [
      '%',
      '%zz',
      '-1',
      '0',
      '1e9',
      'NaN',
      '%F0%9F%9A%80',
      "'",
      '<script>',
      '..',
      'a'.repeat(500),
    ];
    const pick = () => junk[Math.floor(next() * junk.length)]!;
    const paths = [
      '/api/v1/dags',
      '/api/v1/dags/{x}',
      '/api/v1/dags/{x}/details',
      '/api/v1/dags/rt_linear/dagRuns',
      '/api/v1/dags/rt_linear/dagRuns/{x}',
      '/api/v1/dags/rt_linear/dagRuns/{x}/taskInstances',
      '/api/v1/dags/rt_linear/dagRuns/{x}/taskInstances/{x}/logs/{x}',
    ];
    for (let i = 0; i < 300; i++) {
      const path = paths[i % paths.length]!.replaceAll('{x}', () => pick());
      const query = ['limit', 'offset', 'order_by', 'state', 'tags', 'paused']
        .map((k) => `${k}=${pick()}`)
        .join('&');
      const response = await call('GET', `${path}?${query}`);
      expect(response.status, `case ${i}: ${path}?${query}`).toBeLessThan(500);
    }
  });

  it('refuses a huge conf with 400', async () => {
    const { call } = await apiFixture();
    const conf = { blob: 'x'.repeat(300 * 1024) };
    const response = await call('POST', '/api/v1/dags/rt_linear/dagRuns', { body: { conf } });
    expect(response).toMatchObject({
      status: 400,
      body: { detail: 'request body is larger than 262144 bytes' },
    });
  });
});
