import { afterAll, beforeAll, vi } from 'vitest';
import { main } from '../../../scripts/cli/program';
import { startLocalStack } from '../../../scripts/local/stack';

/** What one in-process CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The running stack of the current test file. */
export interface StackHandle {
  url: string;
  token: string;
  /** Runs `updraft <args> --api-url <stack>` in-process with captured output. */
  cli(...args: string[]): Promise<CliResult>;
  /** A GET on the API with the token, as JSON. */
  get<T>(path: string): Promise<T>;
}

/** Runs the CLI in-process, capturing what it prints (every write ends with a newline, as processIo's do). */
export async function runMain(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'updraft', ...args], {
    out: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
  });
  return { code, stdout, stderr };
}

/**
 * Starts one local stack for the test file (the runtime fixture DAGs unless told, 1 s ticks) and points the
 * CLI's token at it; stops it after the file.
 */
export function useLocalStack(token: string, dagsFolder = 'test/fixtures/dags/runtime'): StackHandle {
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  const handle: StackHandle = {
    url: '',
    token,
    cli: (...args) => runMain([...args, '--api-url', handle.url]),
    get: async <T>(path: string) => {
      const response = await fetch(`${handle.url}/api/v1${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return (await response.json()) as T;
    },
  };
  beforeAll(async () => {
    vi.stubEnv('UPDRAFT_API_TOKEN', token);
    stack = await startLocalStack({
      dagsFolder,
      token,
      port: 0,
      tickSeconds: 1,
    });
    handle.url = stack.url;
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await stack?.stop();
  });
  return handle;
}
