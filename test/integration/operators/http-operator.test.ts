import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dag, http } from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

/** What the server saw of each request, by path. */
const seen = new Map<string, { method: string; headers: IncomingMessage['headers']; body: string }>();
/** Paths whose request was closed by the client before the server answered. */
const abandoned = new Set<string>();
let server: Server;
let base: string;

function route(path: string, method: string, body: string): { status: number; type?: string; body: string } {
  switch (path) {
    case '/json':
      return { status: 200, type: 'application/json; charset=utf-8', body: '{"ok":true,"n":1}' };
    case '/problem':
      return { status: 200, type: 'application/problem+json', body: '{"title":"t"}' };
    case '/text':
      return { status: 200, type: 'text/plain', body: 'hello' };
    case '/down':
      return { status: 503, type: 'text/plain', body: `upstream down:\n  maintenance ${'x'.repeat(1000)}` };
    case '/big':
      return { status: 200, type: 'text/plain', body: 'y'.repeat(5000) };
    case '/no-content':
      return { status: 204, type: 'application/json', body: '' };
    case '/not-json':
      return { status: 200, type: 'application/json', body: '<html>oops</html>' };
    default:
      return {
        status: method === 'POST' ? 201 : 200,
        type: 'application/json',
        body: JSON.stringify({ body }),
      };
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.set(path, { method: req.method ?? '', headers: req.headers, body });
      if (path === '/slow') {
        // Never answers: only the attempt's abort signal can end this request.
        res.on('close', () => abandoned.add(path));
        return;
      }
      const reply = route(path, req.method ?? 'GET', body);
      res.writeHead(reply.status, reply.type ? { 'content-type': reply.type } : {});
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Runs a one-task DAG whose task `call` is `http(options)`. */
function runHttp(options: Parameters<typeof http>[0], extra: Parameters<typeof runInMemory>[1] = {}) {
  return runInMemory(
    dag({ dagId: 'http' }, () => void http(options)),
    extra,
  );
}

describe('http operator (against a local server)', () => {
  it('pushes a JSON response parsed, including +json types', async () => {
    const r = await runHttp({ taskId: 'call', url: `${base}/json` });
    expect(r.byId('call')?.state).toBe('success');
    expect(await r.xcomOf('call')).toEqual({ ok: true, n: 1 });
    const problem = await runHttp({ taskId: 'call', url: `${base}/problem` });
    expect(await problem.xcomOf('call')).toEqual({ title: 't' });
  });

  it('pushes any other response as text', async () => {
    const r = await runHttp({ taskId: 'call', url: `${base}/text` });
    expect(await r.xcomOf('call')).toBe('hello');
  });

  it('sends method, headers and body; expectedStatus decides success', async () => {
    const r = await runHttp({
      taskId: 'call',
      url: `${base}/echo`,
      method: 'post',
      headers: { 'content-type': 'application/json', 'x-trace': 't1' },
      body: '{"a":1}',
      expectedStatus: [201],
    });
    expect(r.byId('call')?.state).toBe('success');
    expect(await r.xcomOf('call')).toEqual({ body: '{"a":1}' });
    expect(seen.get('/echo')).toMatchObject({ method: 'POST', headers: { 'x-trace': 't1' } });
    const strict = await runHttp({
      taskId: 'call',
      url: `${base}/echo`,
      method: 'POST',
      expectedStatus: [200],
    });
    expect(strict.byId('call')?.reason).toMatch(
      /^HTTP POST http:\/\/127\.0\.0\.1:\d+\/echo returned 201 \(expected 200\)/,
    );
  });

  it('fails on an unexpected status with the status and a short, one-line body excerpt', async () => {
    const r = await runHttp({ taskId: 'call', url: `${base}/down` });
    const reason = r.byId('call')?.reason ?? '';
    expect(r.byId('call')?.state).toBe('failed');
    expect(reason).toMatch(/returned 503 \(expected 2xx\): upstream down: maintenance x+…$/);
    expect(reason.length).toBeLessThan(450);
  });

  it('is stopped by the execution timeout: the request is aborted, not left running', async () => {
    const r = await runHttp({ taskId: 'call', url: `${base}/slow`, executionTimeout: 0.2 });
    expect(r.byId('call')).toMatchObject({ state: 'failed', reason: 'execution_timeout: exceeded 0.2s' });
    await expect.poll(() => abandoned.has('/slow')).toBe(true);
  });

  it('resolves the url against a connection and sends its login as basic auth, extras as headers', async () => {
    const port = (server.address() as AddressInfo).port;
    const conn = {
      conn_type: 'http',
      host: '127.0.0.1',
      port,
      login: 'ann',
      password: 'p@ss',
      extra: { 'X-Api-Key': 'k1' },
    };
    const r = await runHttp(
      { taskId: 'call', httpConnId: 'my_api', url: 'v1/items?q=1', headers: { 'x-api-key': 'task-wins' } },
      { env: { UPDRAFT_CONN_MY_API: JSON.stringify(conn) } },
    );
    expect(r.byId('call')?.state).toBe('success');
    const request = seen.get('/v1/items?q=1');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('ann:p@ss').toString('base64')}`);
    expect(request?.headers['x-api-key']).toBe('task-wins');
  });

  it('fails without retrying when the connection does not exist', async () => {
    const r = await runHttp({ taskId: 'call', httpConnId: 'nope', url: '/x', retries: 2 });
    expect(r.byId('call')).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(r.byId('call')?.reason).toMatch(/connection "nope" not found/);
  });

  it('keeps no XCom with responseToXcom false, and logs the body with logResponse', async () => {
    const r = await runHttp({
      taskId: 'call',
      url: `${base}/text`,
      responseToXcom: false,
      logResponse: true,
    });
    expect(r.byId('call')?.state).toBe('success');
    expect(await r.xcomOf('call')).toBeUndefined();
    expect(r.logOf('call')).toMatch(/\bhello\b/);
  });

  it('refuses a response over the XCom limit, without retries, saying how to fix it', async () => {
    const r = await runHttp(
      { taskId: 'call', url: `${base}/big`, retries: 2 },
      { services: { xcomLimitBytes: 1000 } },
    );
    expect(r.byId('call')).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(r.byId('call')?.reason).toMatch(/more than the 1000-byte XCom limit; set responseToXcom: false/);
    const unread = await runHttp(
      { taskId: 'call', url: `${base}/big`, responseToXcom: false },
      { services: { xcomLimitBytes: 1000 } },
    );
    expect(unread.byId('call')?.state).toBe('success');
  });

  it('succeeds without an XCom when a JSON response is empty (204)', async () => {
    const r = await runHttp({ taskId: 'call', url: `${base}/no-content` });
    expect(r.byId('call')?.state).toBe('success');
    expect(await r.xcomOf('call')).toBeUndefined();
  });

  it('fails when a JSON content type carries something else', async () => {
    const r = await runHttp({ taskId: 'call', url: `${base}/not-json` });
    expect(r.byId('call')?.reason).toMatch(
      /answered content-type "application\/json" but the body is not JSON: <html>/,
    );
  });

  it('names the target when the server cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await runHttp({ taskId: 'call', url: `http://127.0.0.1:${port}/x` });
    expect(r.byId('call')?.reason).toBe(`HTTP GET http://127.0.0.1:${port}/x failed: ECONNREFUSED`);
  });
});
