import { describe, expect, it } from 'vitest';
import { PerKeyCoalescer } from '../../../functions/app/coalesce-per-key';

/** A promise and its resolver, to hold work in flight. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('PerKeyCoalescer: one mini-scheduler pass per run at a time, none lost', () => {
  it('folds calls made during a run into exactly one follow-up run, which starts after them', async () => {
    const coalescer = new PerKeyCoalescer();
    const first = gate();
    const log: string[] = [];
    let calls = 0;
    const work = async () => {
      const n = ++calls;
      log.push(`start ${n}`);
      if (n === 1) await first.opened;
      log.push(`end ${n}`);
    };
    const running = coalescer.run('run-a', work);
    await Promise.resolve();
    log.push('write 2');
    await coalescer.run('run-a', work);
    log.push('write 3');
    await coalescer.run('run-a', work);
    first.open();
    await running;
    expect(log).toEqual(['start 1', 'write 2', 'write 3', 'end 1', 'start 2', 'end 2']);
  });

  it('runs different keys independently and runs again after a failure', async () => {
    const coalescer = new PerKeyCoalescer();
    const seen: string[] = [];
    await Promise.all([
      coalescer.run('a', async () => void seen.push('a')),
      coalescer.run('b', async () => void seen.push('b')),
    ]);
    expect(seen.sort()).toEqual(['a', 'b']);
    await expect(coalescer.run('a', () => Promise.reject(new Error('store down')))).rejects.toThrow(
      'store down',
    );
    await coalescer.run('a', async () => void seen.push('a again'));
    expect(seen).toContain('a again');
  });
});
