/**
 * Runs `work` for a key at most once at a time per process, and folds calls that arrive while
 * it runs into one more run after it. Used for the mini-scheduler: many workers in one process
 * (local mode runs them all in one) finishing siblings of the same run need one plan of that run
 * after their writes, not one each. Every caller's write happened before it called, so the
 * follow-up run reads them all: the "last finisher sees every upstream" guarantee holds. In
 * Lambda one process runs one attempt at a time, so nothing is ever folded there.
 */
export class PerKeyCoalescer {
  private readonly running = new Map<string, { again: boolean }>();

  /** Runs `work` now (again while calls arrive meanwhile), or marks a follow-up of the run in flight. */
  async run(key: string, work: () => Promise<unknown>): Promise<void> {
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return;
    }
    const entry = { again: false };
    this.running.set(key, entry);
    try {
      do {
        entry.again = false;
        await work();
      } while (entry.again);
    } finally {
      this.running.delete(key);
    }
  }
}
