import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerProvider } from '../../functions/adapters/aws/secrets/secret-provider';
import { ChainSecretProvider } from '../../functions/adapters/local/chain-secret-provider';
import { EnvSecretProvider } from '../../functions/adapters/local/env-secret-provider';
import { FileSecretProvider } from '../../functions/adapters/local/file-secret-provider';
import { secretEnvName } from '../../functions/core/connection';
import { describeSecretProviderContract, type SecretSeed } from './secret-provider.contract';

function envOf(seed: Partial<SecretSeed>): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(seed.connections ?? {}).map(([id, v]) => [`UPDRAFT_CONN_${secretEnvName(id)}`, v]),
    ),
    ...Object.fromEntries(
      Object.entries(seed.variables ?? {}).map(([k, v]) => [`UPDRAFT_VAR_${secretEnvName(k)}`, v]),
    ),
  };
}

async function fileOf(seed: Partial<SecretSeed>): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'updraft-secrets-')), 'secrets.json');
  await writeFile(file, JSON.stringify(seed, null, 2));
  return file;
}

describeSecretProviderContract('EnvSecretProvider', async (seed) => new EnvSecretProvider(envOf(seed)));

describeSecretProviderContract(
  'FileSecretProvider',
  async (seed) => new FileSecretProvider(await fileOf(seed)),
);

// Half of each kind from the environment, the rest from the file: the chain must find both.
describeSecretProviderContract('ChainSecretProvider (env, then file)', async ({ connections, variables }) => {
  const [envConn, ...fileConns] = Object.entries(connections);
  const [envVar, ...fileVars] = Object.entries(variables);
  return new ChainSecretProvider([
    new EnvSecretProvider(
      envOf({ connections: Object.fromEntries([envConn!]), variables: Object.fromEntries([envVar!]) }),
    ),
    new FileSecretProvider(
      await fileOf({ connections: Object.fromEntries(fileConns), variables: Object.fromEntries(fileVars) }),
    ),
  ]);
});

describeSecretProviderContract('SecretsManagerProvider', async (seed) => {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock
    .on(GetSecretValueCommand)
    .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
  for (const [id, text] of Object.entries(seed.connections))
    mock
      .on(GetSecretValueCommand, { SecretId: `updraft/connections/${id}` })
      .resolves({ SecretString: text });
  for (const [key, text] of Object.entries(seed.variables))
    mock.on(GetSecretValueCommand, { SecretId: `updraft/variables/${key}` }).resolves({ SecretString: text });
  return new SecretsManagerProvider({ client });
});
