import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockHome } from '../../../scripts/local/home-lock';

describe('lockHome: one local orchestrator per data folder', () => {
  it('creates a data folder that does not exist yet, then releases the lock', async () => {
    const home = path.join(await mkdtemp(path.join(tmpdir(), 'updraft-home-')), 'fresh', 'nested');
    const unlock = await lockHome(home);
    expect(await readFile(path.join(home, 'dev.pid'), 'utf8')).toBe(String(process.pid));
    await unlock();
    await expect(readFile(path.join(home, 'dev.pid'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses while a live process holds it, and takes over from a dead one', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'updraft-home-'));
    await writeFile(path.join(home, 'dev.pid'), String(process.ppid));
    await expect(lockHome(home)).rejects.toThrow(
      `another updraft dev (pid ${process.ppid}) is using ${home}`,
    );
    await writeFile(path.join(home, 'dev.pid'), '999999999');
    const unlock = await lockHome(home);
    expect(await readFile(path.join(home, 'dev.pid'), 'utf8')).toBe(String(process.pid));
    await unlock();
  });
});
