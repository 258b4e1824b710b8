import { beforeAll, describe, expect, it } from 'vitest';
import type { DagRunRecord } from '../../../functions/core/records';
import { decodeToken, encodeToken, prefersText } from '../../../functions/runtime/http/routes/task-instances';
import { apiFixture } from './events';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
const base = (run: DagRunRecord, taskId: string) =>
  `/api/v1/dags/${run.dagId}/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/${taskId}`;
const tokenOffset = (token: string) => JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).offset;

describe('API: task logs', () => {
  let fixture: Fixture;
  let run: DagRunRecord;
  let logs: string;
  beforeAll(async () => {
    fixture = await apiFixture();
    run = await fixture.trigger('rt_linear');
    await fixture.harness.tick();
    await fixture.harness.drain();
    logs = `${base(run, 'extract')}/logs`;
  });

  it('returns the whole log as JSON with a continuation token by default', async () => {
    const response = await fixture.call('GET', `${logs}/1`);
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json');
    expect(Object.keys(response.body).sort()).toEqual(['content', 'continuation_token']);
    expect(response.body.content).toContain('extracting for');
    const lines = response.body.content.split('\n').filter(Boolean).length;
    expect(tokenOffset(response.body.continuation_token)).toBe(lines);
  });

  it('continues from the token: nothing new, then only the lines written since', async () => {
    const first = await fixture.call('GET', `${logs}/1`);
    const token = first.body.continuation_token;
    const again = await fixture.call('GET', `${logs}/1?token=${token}`);
    expect(again.body).toEqual({ content: '', continuation_token: token });
    const key = { dagId: run.dagId, runId: run.runId, taskId: 'extract', mapIndex: -1 };
    const log = await fixture.ports.logs.open(key, 1);
    log.write('info', 'a late line');
    await log.close();
    const next = await fixture.call('GET', `${logs}/1?token=${token}`);
    expect(next.body.content).toBe('a late line\n');
    expect(tokenOffset(next.body.continuation_token)).toBe(tokenOffset(token) + 1);
    const full = await fixture.call(
      'GET',
      `${logs}/1?token=${next.body.continuation_token}&full_content=true`,
    );
    expect(full.body.content).toBe(`${first.body.content}a late line\n`);
  });

  it('answers text/plain when Accept prefers it', async () => {
    const json = await fixture.call('GET', `${logs}/1`);
    const text = await fixture.call('GET', `${logs}/1`, { headers: { accept: 'text/plain' } });
    expect(text.status).toBe(200);
    expect(text.type).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe(json.body.content);
    const ranked = await fixture.call('GET', `${logs}/1`, {
      headers: { accept: 'text/plain;q=0.5, application/json' },
    });
    expect(ranked.type).toBe('application/json');
  });

  it.each([
    ['text/plain', true],
    ['text/*', true],
    ['application/json;q=0.4, text/plain;q=0.9', true],
    ['text/html, */*;q=0.1', false],
    ['*/*', false],
    ['application/json', false],
    ['text/plain;q=0.5, application/json', false],
    ['text/plain;q=0', false],
    ['TEXT/PLAIN', true],
    ['', false],
  ])('Accept %j prefers text: %s', (accept, expected) => {
    expect(prefersText(accept || undefined)).toBe(expected);
  });

  it('round-trips tokens and rejects anything it did not issue', () => {
    for (const offset of [0, 1, 12345]) expect(decodeToken(encodeToken(offset))).toBe(offset);
    expect(decodeToken(undefined)).toBe(0);
    expect(decodeToken('')).toBe(0);
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      '!!',
      'bm90IGpzb24',
      forged({ offset: -1 }),
      forged({ offset: 1.5 }),
      forged({ offset: '3' }),
      forged([1]),
      forged(null),
    ]) {
      expect(() => decodeToken(bad)).toThrow(/token is not a continuation_token/);
    }
  });

  it.each([
    ['/logs/0', 400, 'path parameter task_try_number must be a whole number ≥ 1, got "0"'],
    ['/logs/one', 400, 'path parameter task_try_number must be a whole number ≥ 1, got "one"'],
    [
      '/logs/1?token=%25%25',
      400,
      'query parameter token is not a continuation_token returned by this endpoint',
    ],
    ['/logs/1?full_content=yes', 400, 'query parameter full_content must be true or false, got "yes"'],
    ['/logs/1?map_index=x', 400, /query parameter map_index must be a whole number/],
    ['/logs/2', 404, 'task instance extract (map index -1) has 1 try, not 2'],
    ['/logs/1?map_index=0', 404, /has no instance with map index 0/],
  ])('extract%s answers %i', async (suffix, status, detail) => {
    const response = await fixture.call('GET', `${base(run, 'extract')}${suffix}`);
    expect(response).toMatchObject({ status, body: { status, detail } });
  });

  it('404s logs of an unknown task and of a task that has not run', async () => {
    expect((await fixture.call('GET', `${base(run, 'nope')}/logs/1`)).body).toMatchObject({
      status: 404,
      title: 'Task not found',
    });
    const pending = await fixture.trigger('rt_diamond');
    const response = await fixture.call('GET', `${base(pending, 'start')}/logs/1`);
    expect(response.body).toMatchObject({
      status: 404,
      detail: 'task instance start (map index -1) has 0 tries, not 1',
    });
  });
});

describe('API: XCom entries', () => {
  let fixture: Fixture;
  let run: DagRunRecord;
  beforeAll(async () => {
    fixture = await apiFixture();
    run = await fixture.trigger('rt_linear');
    await fixture.harness.tick();
    await fixture.harness.drain();
    const key = { dagId: run.dagId, runId: run.runId, taskId: 'extract', mapIndex: -1 };
    await fixture.ports.xcom.push(key, 'rows', { count: 3 });
    await fixture.ports.xcom.push({ ...key, mapIndex: 2 }, 'stray', 'x');
  });

  it("lists a task instance's XComs as XComCollectionItems", async () => {
    const response = await fixture.call('GET', `${base(run, 'extract')}/xcomEntries`);
    expect(response.status).toBe(200);
    expect(response.body.total_entries).toBe(3);
    expect(response.body.xcom_entries[0]).toEqual({
      key: 'return_value',
      timestamp: null,
      logical_date: expect.stringMatching(/\+00:00$/),
      execution_date: expect.stringMatching(/\+00:00$/),
      map_index: -1,
      task_id: 'extract',
      dag_id: 'rt_linear',
    });
    expect(response.body.xcom_entries.map((x: { key: string }) => x.key)).toEqual([
      'return_value',
      'rows',
      'stray',
    ]);
  });

  it('filters by map_index and xcom_key and paginates', async () => {
    const list = async (query: string) =>
      (await fixture.call('GET', `${base(run, 'extract')}/xcomEntries?${query}`)).body;
    expect((await list('map_index=-1')).total_entries).toBe(2);
    expect((await list('map_index=2')).xcom_entries.map((x: { key: string }) => x.key)).toEqual(['stray']);
    expect((await list('xcom_key=rows')).xcom_entries).toHaveLength(1);
    expect(await list('limit=1&offset=1')).toMatchObject({
      total_entries: 3,
      xcom_entries: [{ key: 'rows' }],
    });
    expect(await list('offset=3')).toEqual({ xcom_entries: [], total_entries: 3 });
    const pending = await fixture.trigger('rt_diamond');
    expect((await fixture.call('GET', `${base(pending, 'start')}/xcomEntries`)).body).toEqual({
      xcom_entries: [],
      total_entries: 0,
    });
  });

  it('gets one entry with its value, stringified by default as Airflow does', async () => {
    const entry = await fixture.call('GET', `${base(run, 'extract')}/xcomEntries/return_value`);
    expect(entry.body).toMatchObject({
      key: 'return_value',
      task_id: 'extract',
      map_index: -1,
      value: '[1,2,3]',
    });
    const native = await fixture.call('GET', `${base(run, 'extract')}/xcomEntries/rows?stringify=false`);
    expect(native.body.value).toEqual({ count: 3 });
    const text = await fixture.call('GET', `${base(run, 'report')}/xcomEntries/return_value`);
    expect(text.body.value).toBe(`${run.runId}: 6`);
    const mapped = await fixture.call(
      'GET',
      `${base(run, 'extract')}/xcomEntries/stray?map_index=2&deserialize=true`,
    );
    expect(mapped.body).toMatchObject({ map_index: 2, value: 'x' });
  });

  it.each([
    ['/xcomEntries/nope', 404, 'XCom entry not found'],
    ['/xcomEntries/stray', 404, 'XCom entry not found'],
    ['/xcomEntries/return_value?map_index=0', 404, 'XCom entry not found'],
    ['/xcomEntries/return_value?stringify=maybe', 400, 'Bad Request'],
    ['/xcomEntries?map_index=-5', 400, 'Bad Request'],
    ['/xcomEntries?limit=0', 400, 'Bad Request'],
  ])('extract%s answers %i', async (suffix, status, title) => {
    const response = await fixture.call('GET', `${base(run, 'extract')}${suffix}`);
    expect(response).toMatchObject({ status, body: { status, title } });
  });

  it('404s XComs of an unknown task or run', async () => {
    expect((await fixture.call('GET', `${base(run, 'nope')}/xcomEntries`)).body.title).toBe('Task not found');
    expect((await fixture.call('GET', `${base(run, 'nope')}/xcomEntries/return_value`)).body.title).toBe(
      'Task not found',
    );
    const missing = { ...run, runId: 'nope' };
    expect((await fixture.call('GET', `${base(missing, 'extract')}/xcomEntries`)).body.title).toBe(
      'DAGRun not found',
    );
  });
});
