import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Env var that sets the local API token (scripts, CI) instead of the generated one. */
export const API_TOKEN_ENV = 'UPDRAFT_API_TOKEN';

/**
 * The local API's bearer token: `UPDRAFT_API_TOKEN` if set, else `<dataDir>/api-token`,
 * generated (256 random bits, file mode 0600) on first start so it survives restarts.
 */
export async function localApiToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env[API_TOKEN_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'api-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}
