import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { compareStrings, DAG_FILE_SUFFIX } from './paths';

/** The `*.dag.ts` files under `dagsFolder`, recursively, as sorted POSIX paths relative to it. */
export async function discoverDagFiles(dagsFolder: string): Promise<string[]> {
  const files: string[] = [];
  await walk(dagsFolder, '', files);
  return files.sort(compareStrings);
}

async function walk(root: string, rel: string, into: string[]): Promise<void> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    // Dependencies and hidden folders (.git, .updraft) never hold the user's DAGs, and can be huge.
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
      await walk(root, child, into);
    } else if (entry.isFile() && entry.name.endsWith(DAG_FILE_SUFFIX)) {
      into.push(child);
    }
  }
}
