import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DagDefinition, isDag } from '../core/dag-definition';
import type { DagSpec } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import type { BundleStore } from '../ports/bundle-store';
import type { LoadedCallable, TaskCodeLoader } from '../ports/task-code';

/**
 * Loads task functions from the run's bundle version into this process (the runtime tests'
 * harness; workers, local mode and `dags test` isolate each task with IsolatedCodeLoader): the
 * bundle is fetched into a local folder once per version, each DAG module is imported once, and
 * the DAG object it exports hands out the task's function. Different versions live side by side, so a new upload never
 * changes the code of a running run.
 */
export class BundleCodeLoader implements TaskCodeLoader {
  private readonly modules = new Map<string, Promise<DagDefinition[]>>();

  constructor(private readonly bundles: BundleStore) {}

  async load(bundleVersion: string, dag: DagSpec, taskId: string): Promise<LoadedCallable> {
    const dir = await this.bundles.localDir(bundleVersion);
    const file = path.join(dir, dag.module);
    let loading = this.modules.get(file);
    if (!loading) {
      loading = import(pathToFileURL(file).href).then((m: Record<string, unknown>) =>
        Object.values(m).filter(isDag),
      );
      this.modules.set(file, loading);
    }
    const definition = (await loading).find((d) => d.dagId === dag.dagId);
    const callable = definition?.taskCallable(taskId);
    if (!callable) {
      throw new NonRetryableTaskError(
        `bundle ${bundleVersion}: ${dag.module} has no function for task "${taskId}" of DAG "${dag.dagId}"`,
      );
    }
    return callable;
  }
}
