import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localSecretProvider } from '../../../functions/adapters/local/chain-secret-provider';
import { MemoryLogSink } from '../../../functions/adapters/memory/log-sink';
import { MemoryRunStore } from '../../../functions/adapters/memory/run-store';
import { MemoryXComStore } from '../../../functions/adapters/memory/xcom-store';
import { NunjucksTemplateEngine } from '../../../functions/adapters/shared/nunjucks-engine';
import { runDagTest } from '../../../functions/app/run-dag-test';
import { createOperatorRunner } from '../../../functions/operators/registry';
import type { SecretProvider } from '../../../functions/ports/secret-provider';
import { type Dag, dag, task } from '../../../functions/sdk';
import { TestClock } from '../../../scripts/dags-test/runtime';

/** Runs a DAG object in memory with the given secrets, as `updraft dags test` does. */
async function runWith(definition: Dag, secrets: SecretProvider) {
  const xcom = new MemoryXComStore();
  const deps = {
    store: new MemoryRunStore(),
    xcom,
    logs: new MemoryLogSink(),
    clock: new TestClock(),
    runOperator: createOperatorRunner(),
    templates: new NunjucksTemplateEngine(),
    secrets,
    code: { load: async (_v: string, _d: unknown, taskId: string) => definition.taskCallable(taskId)! },
  };
  const spec = definition.toSpec({ fileloc: 'test.dag.ts', module: 'code/test.dag.mjs' });
  const result = await runDagTest(deps, {
    dag: spec,
    bundleVersion: 'test',
    logicalDate: '2024-05-01T00:00:00.000Z',
  });
  if (!result.ok) throw new Error('run did not start');
  const byId = (taskId: string) => result.instances.find((ti) => ti.taskId === taskId);
  const xcomOf = (taskId: string) =>
    xcom.pull({ dagId: spec.dagId, runId: result.run.runId, taskId, mapIndex: -1 }, 'return_value');
  return { byId, xcomOf };
}

describe('local secrets file (.updraft/secrets.json)', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'updraft-home-'));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const secretsDag = () => {
    const useDb = task('use_db', async (ctx) => (await ctx.connection('warehouse')).host ?? null);
    const useVar = task('use_var', (ctx) => ctx.variable('target_bucket'));
    const noSecrets = task('no_secrets', () => 'fine');
    return dag({ dagId: 'local_secrets' }, () => [useDb(), useVar(), noSecrets()]);
  };

  it('serves connections and variables from the file, env vars winning', async () => {
    await writeFile(
      path.join(home, 'secrets.json'),
      JSON.stringify({
        connections: { warehouse: 'postgres://etl:pw@db.internal:5432/sales' },
        variables: { target_bucket: 'from-file' },
      }),
    );
    const r = await runWith(
      secretsDag(),
      localSecretProvider(home, { UPDRAFT_VAR_TARGET_BUCKET: 'from-env' }),
    );
    expect(await r.xcomOf('use_db')).toBe('db.internal');
    expect(await r.xcomOf('use_var')).toBe('from-env');
  });

  it('fails only the tasks that ask a malformed file, naming the file and the fix', async () => {
    const file = path.join(home, 'secrets.json');
    await writeFile(file, '{"connections": {"warehouse": "postgres://etl:pw@db"},}');
    const r = await runWith(secretsDag(), localSecretProvider(home, {}));
    for (const taskId of ['use_db', 'use_var']) {
      expect(r.byId(taskId)?.state).toBe('failed');
      expect(r.byId(taskId)?.reason).toMatch(
        new RegExp(
          `^SecretsFileError: ${file.replaceAll('\\', '\\\\')}: is not valid JSON at line 1, column \\d+; fix the syntax`,
        ),
      );
    }
    expect(r.byId('no_secrets')?.state).toBe('success');
  });
});
