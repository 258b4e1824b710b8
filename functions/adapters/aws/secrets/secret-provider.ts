import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../../ports/clock';
import type { Connection, SecretProvider } from '../../../ports/secret-provider';
import { parseConnection } from '../../shared/parse-connection';

/** Options of `SecretsManagerProvider`. */
export interface SecretsManagerProviderOptions {
  client: SecretsManagerClient;
  /** Secret name prefix; connections are `<prefix>connections/<id>`, variables `<prefix>variables/<key>`. Default `updraft/`. */
  prefix?: string;
  /** How long a value (or its absence) is reused, in milliseconds. Default 300000 (5 minutes). */
  ttlMs?: number;
  /** Time source for the cache. Default: the system clock. */
  clock?: Clock;
}

/** Reading a secret failed for another reason than its absence (access denied, throttling …). */
export class SecretReadError extends Error {
  override readonly name = 'SecretReadError';
  constructor(
    readonly secretId: string,
    options: ErrorOptions,
  ) {
    const cause = options.cause as Error | undefined;
    super(`reading secret "${secretId}" failed: ${cause?.name ?? 'Error'}: ${cause?.message ?? ''}`, options);
  }
}

interface CacheEntry {
  expiresAt: number;
  value: Promise<string | undefined>;
}

/**
 * Airflow connections and variables in Secrets Manager, cached in-process for `ttlMs` (a warm
 * Lambda reads each secret at most once per TTL; concurrent lookups share one call). Missing
 * secrets are cached too, so an optional variable does not cost a call per task.
 */
export class SecretsManagerProvider implements SecretProvider {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: SecretsManagerProviderOptions) {
    this.prefix = options.prefix ?? 'updraft/';
    this.ttlMs = options.ttlMs ?? 300_000;
    this.clock = options.clock ?? { now: () => new Date().toISOString() };
  }

  async connection(id: string): Promise<Connection | undefined> {
    const secret = await this.secret(`${this.prefix}connections/${id}`);
    return secret === undefined ? undefined : parseConnection(id, secret);
  }

  async variable(key: string): Promise<string | undefined> {
    return this.secret(`${this.prefix}variables/${key}`);
  }

  /** Forgets cached values (all, or one secret id), e.g. after rotating a secret in tests. */
  invalidate(secretId?: string): void {
    if (secretId === undefined) this.cache.clear();
    else this.cache.delete(secretId);
  }

  private secret(secretId: string): Promise<string | undefined> {
    const now = Date.parse(this.clock.now());
    const cached = this.cache.get(secretId);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = this.fetch(secretId);
    const entry = { expiresAt: now + this.ttlMs, value };
    this.cache.set(secretId, entry);
    // Errors are not cached: the next lookup tries again.
    value.catch(() => {
      if (this.cache.get(secretId) === entry) this.cache.delete(secretId);
    });
    return value;
  }

  private async fetch(secretId: string): Promise<string | undefined> {
    try {
      const output = await this.options.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (output.SecretString !== undefined) return output.SecretString;
      if (output.SecretBinary !== undefined) return new TextDecoder().decode(output.SecretBinary);
      return undefined;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw new SecretReadError(secretId, { cause: error });
    }
  }
}
