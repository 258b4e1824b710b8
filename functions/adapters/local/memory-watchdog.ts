import { readdir, readFile } from 'node:fs/promises';

/** Linux page size: /proc/<pid>/stat counts resident memory in pages. */
const PAGE_BYTES = 4096;
const MIB = 1024 * 1024;

/** How to watch one process group. */
export interface MemoryWatchdogOptions {
  /** Process group id: the pid of a child spawned with `detached: true`. */
  pgid: number;
  /** Kill the group once its summed resident memory exceeds this many MiB. */
  limitMiB: number;
  /** Sampling period in milliseconds (default 100). */
  intervalMs?: number;
  /** Where procfs is mounted (default `/proc`); tests may point elsewhere. */
  procDir?: string;
}

/**
 * Enforces a memory limit on a whole process group, the way Fargate enforces one on a container:
 * a task that forks workers is measured as a whole, and going over the limit kills all of it
 * (SIGKILL, exit 137), so an out-of-memory end looks the same locally as in the cloud.
 */
export class MemoryWatchdog {
  /** Highest summed resident memory seen, in MiB (0 until the first sample, and off Linux). */
  peakMiB = 0;
  /** Whether the watchdog killed the group for going over its limit. */
  outOfMemory = false;
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private readonly intervalMs: number;
  private readonly procDir: string;

  constructor(private readonly options: MemoryWatchdogOptions) {
    this.intervalMs = options.intervalMs ?? 100;
    this.procDir = options.procDir ?? '/proc';
  }

  /** Samples at once (fast allocators must not slip past the first interval), then periodically. */
  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    // A watchdog alone must not keep the process alive.
    this.timer.unref();
  }

  /** Stops sampling; safe to call more than once. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sums the resident memory (MiB) of every live process in the group; 0 when procfs is absent. */
  async sample(): Promise<number> {
    let entries: string[];
    try {
      entries = await readdir(this.procDir);
    } catch {
      return 0;
    }
    const pages = await Promise.all(
      entries.filter((entry) => /^[0-9]+$/.test(entry)).map((pid) => this.groupRssPages(pid)),
    );
    return (pages.reduce((sum, n) => sum + n, 0) * PAGE_BYTES) / MIB;
  }

  private async tick(): Promise<void> {
    // Skip a tick rather than pile up scans when /proc is slow.
    if (this.sampling || !this.timer) return;
    this.sampling = true;
    try {
      const mib = await this.sample();
      if (!this.timer) return;
      this.peakMiB = Math.max(this.peakMiB, mib);
      if (mib > this.options.limitMiB) this.kill();
    } finally {
      this.sampling = false;
    }
  }

  private kill(): void {
    this.outOfMemory = true;
    this.stop();
    try {
      process.kill(-this.options.pgid, 'SIGKILL');
    } catch {
      // The group already ended: nothing left to kill.
    }
  }

  /** Resident pages of `pid` when it belongs to the group, else 0 (vanished pids count as 0). */
  private async groupRssPages(pid: string): Promise<number> {
    let stat: string;
    try {
      stat = await readFile(`${this.procDir}/${pid}/stat`, 'utf8');
    } catch {
      return 0;
    }
    // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); pgrp is field 5, rss field 24.
    if (Number(fields[2]) !== this.options.pgid) return 0;
    return Number(fields[21]) || 0;
  }
}
