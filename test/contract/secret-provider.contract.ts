import { describe, expect, it } from 'vitest';
import type { SecretProvider } from '../../functions/ports/secret-provider';

/** The secrets a provider under test must serve: connection texts (URI or JSON) and variables. */
export interface SecretSeed {
  connections: Record<string, string>;
  variables: Record<string, string>;
}

const SEED: SecretSeed = {
  connections: {
    warehouse: 'postgres://etl:p%40ss%3Aw0rd@db.internal:5432/sales?sslmode=require',
    api: '{"conn_type": "http", "host": "api.example.com", "password": "tok-123", "extra": {"timeout": 5}}',
    broken: 'postgres://etl:hunter22@db.internal:99999/x',
  },
  variables: { target_bucket: 'my-bucket', config: '{"rows": 3}' },
};

/** Defines the SecretProvider contract suite for one implementation. */
export function describeSecretProviderContract(
  name: string,
  make: (seed: SecretSeed) => Promise<SecretProvider>,
) {
  describe(`SecretProvider contract: ${name}`, () => {
    it('parses connection URIs, decoding their parts', async () => {
      const provider = await make(SEED);
      expect(await provider.connection('warehouse')).toEqual({
        connId: 'warehouse',
        connType: 'postgres',
        host: 'db.internal',
        port: 5432,
        login: 'etl',
        password: 'p@ss:w0rd',
        schema: 'sales',
        extra: { sslmode: 'require' },
      });
    });

    it("parses Airflow's JSON form", async () => {
      const provider = await make(SEED);
      expect(await provider.connection('api')).toEqual({
        connId: 'api',
        connType: 'http',
        host: 'api.example.com',
        password: 'tok-123',
        extra: { timeout: 5 },
      });
    });

    it('returns variables as their text', async () => {
      const provider = await make(SEED);
      expect(await provider.variable('target_bucket')).toBe('my-bucket');
      expect(await provider.variable('config')).toBe('{"rows": 3}');
    });

    it('answers undefined for what does not exist', async () => {
      const provider = await make(SEED);
      expect(await provider.connection('nope')).toBeUndefined();
      expect(await provider.variable('nope')).toBeUndefined();
    });

    it('rejects an invalid connection naming it, without quoting the secret', async () => {
      const provider = await make(SEED);
      const error = await provider.connection('broken').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toContain('broken');
      expect(error?.message).toContain('port 99999');
      expect(error?.message).not.toContain('hunter22');
    });
  });
}
