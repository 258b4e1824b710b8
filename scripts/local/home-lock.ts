import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * One local orchestrator per data folder: its LevelDB store cannot be shared. Takes
 * `<home>/dev.pid`, refusing with a clear message while another live process holds it; a pid
 * file left by a killed process is taken over. Returns the release function.
 */
export async function lockHome(home: string): Promise<() => Promise<void>> {
  const file = path.join(home, 'dev.pid');
  // A fresh `--home` (or UPDRAFT_HOME) folder is created, as the stack would create it anyway.
  await mkdir(home, { recursive: true });
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number((await readFile(file, 'utf8')).trim());
    if (holder && holder !== process.pid && alive(holder)) {
      throw new Error(
        `another updraft dev (pid ${holder}) is using ${home}; stop it, or set UPDRAFT_HOME to another folder`,
      );
    }
    await writeFile(file, String(process.pid));
  }
  return () => rm(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
