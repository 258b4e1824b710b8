import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import {
  SecretReadError,
  SecretsManagerProvider,
} from '../../../../functions/adapters/aws/secrets/secret-provider';
import { InvalidConnectionError } from '../../../../functions/adapters/shared/parse-connection';

function fixture(options: { ttlMs?: number; prefix?: string } = {}) {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  let ms = Date.parse('2024-05-01T00:00:00.000Z');
  const clock = { now: () => new Date(ms).toISOString() };
  const advance = (by: number) => {
    ms += by;
  };
  const provider = new SecretsManagerProvider({ client, clock, ...options });
  return { mock, provider, advance };
}

const notFound = () =>
  new ResourceNotFoundException({ message: 'Secrets Manager can’t find the secret', $metadata: {} });

describe('SecretsManagerProvider', () => {
  it('reads connections (URI or JSON) and variables under updraft/', async () => {
    const { mock, provider } = fixture();
    mock
      .on(GetSecretValueCommand, { SecretId: 'updraft/connections/warehouse' })
      .resolves({ SecretString: 'postgres://user:p%40ss@db.internal:5432/analytics?sslmode=require' })
      .on(GetSecretValueCommand, { SecretId: 'updraft/connections/api' })
      .resolves({ SecretString: '{"conn_type":"http","host":"api.example.com","extra":{"timeout":5}}' })
      .on(GetSecretValueCommand, { SecretId: 'updraft/variables/threshold' })
      .resolves({ SecretString: '42' });
    expect(await provider.connection('warehouse')).toEqual({
      connId: 'warehouse',
      connType: 'postgres',
      login: 'user',
      password: 'p@ss',
      host: 'db.internal',
      port: 5432,
      schema: 'analytics',
      extra: { sslmode: 'require' },
    });
    expect(await provider.connection('api')).toEqual({
      connId: 'api',
      connType: 'http',
      host: 'api.example.com',
      extra: { timeout: 5 },
    });
    expect(await provider.variable('threshold')).toBe('42');
  });

  it('caches values for the TTL, then reads again', async () => {
    const { mock, provider, advance } = fixture({ ttlMs: 60_000 });
    mock.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'v1' }).resolves({ SecretString: 'v2' });
    expect(await provider.variable('k')).toBe('v1');
    advance(59_999);
    expect(await provider.variable('k')).toBe('v1');
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    advance(1);
    expect(await provider.variable('k')).toBe('v2');
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('defaults to a five-minute TTL', async () => {
    const { mock, provider, advance } = fixture();
    mock.on(GetSecretValueCommand).resolves({ SecretString: 'v' });
    await provider.variable('k');
    advance(299_999);
    await provider.variable('k');
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    advance(1);
    await provider.variable('k');
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('shares one call between concurrent lookups', async () => {
    const { mock, provider } = fixture();
    mock.on(GetSecretValueCommand).resolves({ SecretString: 'mysql://root@h' });
    const results = await Promise.all([
      provider.connection('c'),
      provider.connection('c'),
      provider.connection('c'),
    ]);
    expect(results.map((c) => c?.connType)).toEqual(['mysql', 'mysql', 'mysql']);
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('reads a missing secret as undefined, and caches its absence', async () => {
    const { mock, provider, advance } = fixture();
    mock.on(GetSecretValueCommand).rejects(notFound());
    expect(await provider.connection('nope')).toBeUndefined();
    expect(await provider.variable('nope')).toBeUndefined();
    expect(await provider.variable('nope')).toBeUndefined();
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    advance(300_000);
    expect(await provider.variable('nope')).toBeUndefined();
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('rethrows other errors with their cause, and does not cache them', async () => {
    const { mock, provider } = fixture();
    const outage = new InternalServiceError({ message: 'try later', $metadata: {} });
    mock.on(GetSecretValueCommand).rejectsOnce(outage).resolves({ SecretString: 'ok' });
    const error = await provider.variable('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretReadError);
    expect(error).toMatchObject({ secretId: 'updraft/variables/k', cause: outage });
    expect((error as Error).message).toBe(
      'reading secret "updraft/variables/k" failed: InternalServiceError: try later',
    );
    expect(await provider.variable('k')).toBe('ok');
  });

  it('decodes binary secrets and honours a custom prefix', async () => {
    const { mock, provider } = fixture({ prefix: 'team-a/' });
    mock
      .on(GetSecretValueCommand, { SecretId: 'team-a/variables/blob' })
      .resolves({ SecretBinary: new TextEncoder().encode('bytes ✓') })
      .on(GetSecretValueCommand, { SecretId: 'team-a/variables/empty' })
      .resolves({});
    expect(await provider.variable('blob')).toBe('bytes ✓');
    expect(await provider.variable('empty')).toBeUndefined();
  });

  it('reports an unparsable connection as invalid, and forgets cached values on invalidate', async () => {
    const { mock, provider } = fixture();
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'not a uri' })
      .resolves({ SecretString: 'http://h' });
    await expect(provider.connection('bad')).rejects.toBeInstanceOf(InvalidConnectionError);
    provider.invalidate('updraft/connections/bad');
    expect((await provider.connection('bad'))?.host).toBe('h');
    provider.invalidate();
    await provider.connection('bad');
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });
});
