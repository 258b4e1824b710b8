import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localSecretProvider } from '../../functions/adapters/local/chain-secret-provider';
import { type CapturedLine, MemoryLogSink } from '../../functions/adapters/memory/log-sink';
import { MemoryObjectStorage } from '../../functions/adapters/memory/object-storage';
import { MemoryRunStore } from '../../functions/adapters/memory/run-store';
import { MemoryXComStore } from '../../functions/adapters/memory/xcom-store';
import { NunjucksTemplateEngine } from '../../functions/adapters/shared/nunjucks-engine';
import type { AdjustableClock } from '../../functions/app/run-dag-test';
import type { DagSpec } from '../../functions/core/model';
import { NonRetryableTaskError } from '../../functions/core/task-errors';
import { createOperatorRunner } from '../../functions/operators/registry';
import type { TaskCodeLoader } from '../../functions/ports/task-code';
import { type LoadedDag, loadBundleDags, writeBundle } from '../bundle';
import type { BuiltBundle } from '../cli/load-dags';

/** Starts at the real time and only moves forward, so retry delays are skipped, not slept. */
export class TestClock implements AdjustableClock {
  private offsetMs = 0;
  now(): string {
    return new Date(Date.now() + this.offsetMs).toISOString();
  }
  advanceTo(iso: string): void {
    this.offsetMs = Math.max(this.offsetMs, Date.parse(iso) - Date.now());
  }
}

/** Loads task functions from the evaluated bundle modules, as workers do from S3. */
export class BundleCodeLoader implements TaskCodeLoader {
  constructor(private readonly dags: ReadonlyMap<string, LoadedDag>) {}

  async load(_bundleVersion: string, dag: DagSpec, taskId: string) {
    const callable = this.dags.get(dag.dagId)?.definition.taskCallable(taskId);
    if (!callable)
      throw new NonRetryableTaskError(`task "${taskId}" of DAG "${dag.dagId}" has no function in the bundle`);
    return callable;
  }
}

/**
 * The in-memory ports `updraft dags test` runs on: the bundle written to a temp folder (so the
 * task code is the bundled code a worker would load), memory stores, and a skipping clock.
 */
export async function createTestRuntime(bundle: BuiltBundle, onLog: (line: CapturedLine) => void) {
  const tempRoot = await mkdtemp(path.join(tmpdir(), 'updraft-dags-test-'));
  const { dir } = await writeBundle(bundle, tempRoot);
  const dags = await loadBundleDags(dir);
  const logs = new MemoryLogSink(onLog);
  return {
    deps: {
      store: new MemoryRunStore(),
      xcom: new MemoryXComStore(),
      logs,
      code: new BundleCodeLoader(dags),
      templates: new NunjucksTemplateEngine(),
      // S3 operators write to an in-memory sandbox (nothing reaches S3); trigger_dag_run needs
      // other DAGs' runs, which one test run does not have, so it fails naming local mode.
      runOperator: createOperatorRunner({
        objectStorage: new MemoryObjectStorage({ createMissingBuckets: true }),
        missingHint: '`updraft dags test` runs a single DAG run; run this DAG in local mode (`updraft dev`)',
      }),
      clock: new TestClock(),
      // The same secrets as local mode: env vars, then <UPDRAFT_HOME or .updraft>/secrets.json.
      secrets: localSecretProvider(process.env.UPDRAFT_HOME || '.updraft'),
    },
    logs,
    dispose: () => rm(tempRoot, { recursive: true, force: true }),
  };
}
