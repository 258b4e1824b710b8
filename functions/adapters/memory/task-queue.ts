import type { TaskMessage, TaskQueue } from '../../ports/task-queue';

/** TaskQueue in memory: messages wait in order until taken (tests, in-process runs). */
export class MemoryTaskQueue implements TaskQueue {
  private readonly pending: { message: TaskMessage; visibleAt: number }[] = [];
  /** Every message ever sent, for assertions. */
  readonly sent: TaskMessage[] = [];

  /** `nowMs` is the clock delays are measured on (epoch ms); tests pass a manual clock's. */
  constructor(private readonly nowMs: () => number = Date.now) {}

  async send(messages: readonly TaskMessage[], options: { delaySeconds?: number } = {}): Promise<void> {
    const delay = options.delaySeconds ?? 0;
    if (delay < 0 || delay > 900) throw new RangeError(`delaySeconds must be 0..900, got ${delay}`);
    for (const message of messages) {
      this.sent.push(structuredClone(message));
      this.pending.push({ message: structuredClone(message), visibleAt: this.nowMs() + delay * 1000 });
    }
  }

  /** Removes and returns the messages visible now. */
  take(max = Number.POSITIVE_INFINITY): TaskMessage[] {
    const now = this.nowMs();
    const taken: TaskMessage[] = [];
    for (let i = 0; i < this.pending.length && taken.length < max; ) {
      if (this.pending[i]!.visibleAt <= now) taken.push(this.pending.splice(i, 1)[0]!.message);
      else i++;
    }
    return taken;
  }

  get size(): number {
    return this.pending.length;
  }
}
