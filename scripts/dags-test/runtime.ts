import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localSecretProvider } from '../../functions/adapters/local/chain-secret-provider';
import { LocalContainerRunner } from '../../functions/adapters/local/process-container-runner';
import { type CapturedLine, MemoryLogSink } from '../../functions/adapters/memory/log-sink';
import { MemoryObjectStorage } from '../../functions/adapters/memory/object-storage';
import { MemoryRunStore } from '../../functions/adapters/memory/run-store';
import { MemoryXComStore } from '../../functions/adapters/memory/xcom-store';
import { NunjucksTemplateEngine } from '../../functions/adapters/shared/nunjucks-engine';
import type { AdjustableClock } from '../../functions/app/run-dag-test';
import { createOperatorRunner } from '../../functions/operators/registry';
import { IsolatedCodeLoader } from '../../functions/runtime/isolation/isolated-code-loader';
import { writeBundle } from '../bundle';
import type { BuiltBundle } from '../cli/load-dags';
import { pipOptions } from '../local/stack';

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

/**
 * The in-memory ports `updraft dags test` runs on: the bundle written to a temp folder (so the
 * task code is the bundled code a worker would load), memory stores, and a skipping clock.
 */
export async function createTestRuntime(
  bundle: BuiltBundle,
  onLog: (line: CapturedLine) => void,
  dagsFolder: string,
) {
  const tempRoot = await mkdtemp(path.join(tmpdir(), 'updraft-dags-test-'));
  const { dir } = await writeBundle(bundle, tempRoot);
  const logs = new MemoryLogSink(onLog);
  const home = process.env.UPDRAFT_HOME || '.updraft';
  // As in local mode: TS tasks in worker threads with their memory, container tasks as processes.
  const containers = new LocalContainerRunner({
    envsDir: path.resolve(home, 'envs'),
    bundleDir: async () => dir,
    pip: pipOptions(process.env),
    dagsFolder: path.resolve(dagsFolder),
  });
  return {
    deps: {
      store: new MemoryRunStore(),
      xcom: new MemoryXComStore(),
      logs,
      code: new IsolatedCodeLoader({ localDir: async () => dir }),
      templates: new NunjucksTemplateEngine(),
      // S3 operators write to an in-memory sandbox (nothing reaches S3); trigger_dag_run needs
      // other DAGs' runs, which one test run does not have, so it fails naming local mode.
      runOperator: createOperatorRunner({
        objectStorage: new MemoryObjectStorage({ createMissingBuckets: true }),
        containers: { kind: 'inline', runner: containers },
        missingHint: '`updraft dags test` runs a single DAG run; run this DAG in local mode (`updraft dev`)',
      }),
      clock: new TestClock(),
      // The same secrets as local mode: env vars, then <UPDRAFT_HOME or .updraft>/secrets.json.
      secrets: localSecretProvider(home),
    },
    logs,
    dispose: () => rm(tempRoot, { recursive: true, force: true }),
  };
}
