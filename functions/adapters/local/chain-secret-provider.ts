import path from 'node:path';
import type { Connection, SecretProvider } from '../../ports/secret-provider';
import { EnvSecretProvider } from './env-secret-provider';
import { FileSecretProvider, SECRETS_FILE } from './file-secret-provider';

/** Asks providers in order; the first that has the connection or variable wins. */
export class ChainSecretProvider implements SecretProvider {
  constructor(private readonly providers: readonly SecretProvider[]) {}

  async connection(id: string): Promise<Connection | undefined> {
    for (const provider of this.providers) {
      const found = await provider.connection(id);
      if (found) return found;
    }
    return undefined;
  }

  async variable(key: string): Promise<string | undefined> {
    for (const provider of this.providers) {
      const found = await provider.variable(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/**
 * Secrets of local mode and `dags test`: `UPDRAFT_CONN_<ID>` / `UPDRAFT_VAR_<KEY>` first (so a
 * shell can override one value), then `<home>/secrets.json`.
 */
export function localSecretProvider(home: string, env: NodeJS.ProcessEnv = process.env): SecretProvider {
  return new ChainSecretProvider([
    new EnvSecretProvider(env),
    new FileSecretProvider(path.join(home, SECRETS_FILE)),
  ]);
}
