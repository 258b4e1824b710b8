import { beforeAll, describe, expect, it } from 'vitest';
import type { MemoryLogSink } from '../../../functions/adapters/memory/log-sink';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import type { Connection } from '../../../functions/core/connection';
import type { TaskInstanceKey } from '../../../functions/core/records';
import { runBash } from '../../../functions/operators/bash-operator';
import type { SecretProvider } from '../../../functions/ports/secret-provider';
import type { OperatorRunner } from '../../../functions/ports/task-runner';
import { createApiHandler } from '../../../functions/runtime/handlers/api-handler';
import { createApiRouter } from '../../../functions/runtime/http/api';
import { bearerAuthorizer } from '../../../functions/runtime/http/auth';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';
import { apiEvent, TOKEN } from '../../unit/api/events';

/** Passwords the masker must hide; each is also part of the token and the `ctx.mask` value (secrets in secrets). */
const SHAPES: [string, string][] = [
  ['URL-special characters', 'p@ss:w/rd?#%+&=x'],
  ['quotes', `it's "quoted" pass`],
  ['backslashes', 'back\\slash\\pass\\'],
  ['unicode', 'pässwörd-ünïcødé-🔑'],
  ['a newline', 'first-line\nsecond-line'],
  ['CRLF', 'first-line\r\nsecond-line'],
  ['JSON-looking', '{"user":"etl","pw":"x1y2z3"}'],
  [
    'a private key',
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
  ],
  ['spaces', 'with spaces in it'],
  ['tabs', 'tab\tseparated\tpass'],
  ['pre-encoded text', 'percent%20encoded%41'],
  ['pluses', 'plus+plus+plus'],
  ['form characters', 'a&b=c&d=e'],
  ['HTML characters', '<b>bold</b>&amp;'],
  ['shell characters', '$HOME$(id)`id`;|'],
  ['a long value', `long-${'x9'.repeat(200)}`],
  ['a control character', 'bell\u0007char'],
  ['emoji only', '🔐🔐🔐🔐🔐'],
  ['slashes', 'a/b/c/d/e/f'],
  ['a colon and at sign', 'user@host:secret'],
  ['a number-like value', '1234567890'],
  ['a trailing backslash-n text', 'literal\\nnot-newline'],
];

/** The spellings of `secret` that must never show: raw, URL/form-encoded, JSON-escaped, each line. */
function forms(secret: string): string[] {
  const lines = secret.split(/\r\n|\r|\n/).filter((line) => line.trim().length >= 5);
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    ...(lines.length > 1 ? lines : []),
  ];
}

/** Secrets read from a map the test sets per run (a SecretProvider like Secrets Manager's). */
class MapSecrets implements SecretProvider {
  password = '';
  async connection(id: string): Promise<Connection | undefined> {
    if (id !== 'db') return undefined;
    return {
      connId: 'db',
      connType: 'postgres',
      host: 'db',
      login: 'etl',
      password: this.password,
      extra: { api_key: `extra-${this.password}` },
    };
  }
  async variable(key: string): Promise<string | undefined> {
    if (key === 'api_token') return `T0k3n-${this.password}`;
    if (key === 'marked_value') return `mark:${this.password}:end`;
    return undefined;
  }
}

describe('secret masking end to end', () => {
  const ports = memoryPorts();
  const secrets = new MapSecrets();
  const harness = createHarness(ports);
  const router = createApiRouter({ ...ports, logs: ports.logs as MemoryLogSink, clock: harness.clock });
  const api = createApiHandler(router, bearerAuthorizer(TOKEN));
  const get = async (path: string) => {
    const result = await api(apiEvent('GET', path));
    return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
  };

  beforeAll(async () => {
    await publishDags(ports.bundles, 'test/fixtures/dags/masking');
    // The bash task gets the password in its env the way a rendered template would put it there.
    const inner: OperatorRunner = harness.workerDeps.runOperator;
    harness.workerDeps.secrets = secrets;
    harness.workerDeps.runOperator = async (inv) => {
      if (inv.task.operator.kind !== 'bash') return inner(inv);
      const db = await inv.context.connection('db');
      const operator = { ...inv.task.operator, env: { PASSWORD: db.password ?? '' } };
      return runBash({ ...inv, task: { ...inv.task, operator } });
    };
  });

  it.each(SHAPES)('hides a password with %s in logs, reasons and API XComs', async (_name, password) => {
    secrets.password = password;
    const { runId } = await trigger();
    await harness.tick();
    await harness.drain();
    const key = (taskId: string): TaskInstanceKey => ({ dagId: 'masking', runId, taskId, mapIndex: -1 });
    const logs = ['leak', 'use', 'boom', 'shell'].map((t) => ports.logs.text(key(t), 1)).join('\n');
    const boom = await ports.store.getTaskInstance(key('boom'));
    const base = `/api/v1/dags/masking/dagRuns/${encodeURIComponent(runId)}/taskInstances`;
    const shown = [
      (await get(`${base}/leak/xcomEntries/return_value`)).body,
      (await get(`${base}/leak/xcomEntries/return_value?stringify=false`)).body,
      (await get(`${base}/shell/xcomEntries/return_value`)).body,
      (await get(`${base}/leak/xcomEntries`)).body,
      (await get(`${base}/boom/-1`)).body,
    ];
    const visible = [logs, boom?.reason ?? '', JSON.stringify(shown)];
    for (const text of visible) for (const form of forms(password)) expect(text).not.toContain(form);

    expect(boom).toMatchObject({ state: 'failed', reason: 'login to postgres://etl:***@db failed: ***' });
    expect(logs).toContain('password is ***');
    expect(logs).toContain('Authorization: Bearer ***');
    expect(shown[1].value).toEqual({
      dsn: 'postgres://etl:***@db:5432/sales',
      password: '***',
      token: '***',
      marked: '***',
      note: 'visible',
    });
    // The display copies are not XComs of their own.
    expect((await get(`${base}/leak/xcomEntries/__updraft_display__:return_value`)).status).toBe(404);
    expect(shown[3].xcom_entries.map((x: { key: string }) => x.key)).toEqual(['return_value']);
    // Downstream still receives the real values.
    expect(await ports.xcom.pull(key('use'), 'return_value')).toEqual({
      samePassword: true,
      sameToken: true,
      sameMarked: true,
    });
    expect(await ports.xcom.pull(key('leak'), 'return_value')).toMatchObject({ password });
    // bash pushes its last stdout line: the password's last line, shown as *** by the API.
    expect(await ports.xcom.pull(key('shell'), 'return_value')).toBe(password.split(/\r?\n/).at(-1));
    expect(shown[2].value).toBe('***');
  });

  let runs = 0;
  async function trigger() {
    const result = await triggerDagRun(
      { ...ports, clock: harness.clock },
      { dagId: 'masking', runId: `manual__masking_${++runs}`, conf: {} },
    );
    if (!result.ok) throw new Error(result.message);
    return result.run;
  }
});
