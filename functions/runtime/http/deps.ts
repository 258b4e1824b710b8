import type { BundleStore } from '../../ports/bundle-store';
import type { Clock } from '../../ports/clock';
import type { RunStore } from '../../ports/run-store';
import type { LogReader } from '../../ports/task-log';
import type { XComStore } from '../../ports/xcom-store';

/** What the API routes use: the same ports as the scheduler and workers. */
export interface ApiDeps {
  store: RunStore;
  bundles: BundleStore;
  xcom: XComStore;
  logs: LogReader;
  clock: Clock;
  /** Asks the scheduler for a tick now (async invoke in AWS), so a trigger does not wait for the minute. */
  kick?: () => Promise<void>;
}
