import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localSecretProvider } from '../../../../functions/adapters/local/chain-secret-provider';
import {
  FileSecretProvider,
  SecretsFileError,
} from '../../../../functions/adapters/local/file-secret-provider';

describe('FileSecretProvider', () => {
  let home: string;
  let file: string;
  const write = async (content: unknown) => {
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    // Same-millisecond rewrites must still count as changes: move the mtime on explicitly.
    const later = new Date(Date.now() + Math.random() * 1e6);
    await utimes(file, later, later);
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: Error) => error,
    );
  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'updraft-home-'));
    file = path.join(home, 'secrets.json');
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('serves object-form connections and JSON variables as their text', async () => {
    await write({
      connections: { db: { conn_type: 'postgres', host: 'db', login: 'etl', password: 'pw', port: 5432 } },
      variables: { config: { rows: 3 }, limit: 10, name: 'x' },
    });
    const provider = new FileSecretProvider(file);
    expect(await provider.connection('db')).toMatchObject({
      connType: 'postgres',
      password: 'pw',
      port: 5432,
    });
    expect(await provider.variable('config')).toBe('{"rows":3}');
    expect(await provider.variable('limit')).toBe('10');
    expect(await provider.variable('name')).toBe('x');
  });

  it('treats a missing or empty file as no secrets', async () => {
    const provider = new FileSecretProvider(file);
    expect(await provider.variable('x')).toBeUndefined();
    await write('');
    expect(await provider.connection('x')).toBeUndefined();
  });

  it('re-reads the file when it changes, without a restart', async () => {
    const provider = new FileSecretProvider(file);
    await write({ variables: { bucket: 'old' } });
    expect(await provider.variable('bucket')).toBe('old');
    await write({ variables: { bucket: 'new-value' } });
    expect(await provider.variable('bucket')).toBe('new-value');
  });

  it.each([
    ['broken JSON', '{"variables": {"a": hunter22}}', 'is not valid JSON', 'fix the syntax'],
    ['a list', '[1, 2]', 'is not a JSON object', 'expected {"connections"'],
    [
      'an unknown section',
      { conections: {} },
      'entry conections: is not a known section',
      'use only "connections"',
    ],
    [
      'a section that is not an object',
      { variables: ['a'] },
      'entry variables: is not an object',
      'expected',
    ],
  ])('names the file and the fix for %s, without quoting it', async (_name, content, problem, fix) => {
    await write(content);
    const error = await failure(new FileSecretProvider(file).variable('a'));
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error?.message).toContain(`${file}`);
    expect(error?.message).toContain(problem);
    expect(error?.message).toContain(fix);
    expect(error?.message).not.toContain('hunter22');
  });

  it('fails only the lookups of a malformed entry', async () => {
    await write({
      connections: { bad: 'not a uri', wrong: 42, good: 'http://api.example.com' },
      variables: { gone: null, ok: 'yes' },
    });
    const provider = new FileSecretProvider(file);
    expect((await failure(provider.connection('bad')))?.message).toMatch(
      /secrets\.json entry connections\.bad: connection "bad" is invalid: .*; write it as an Airflow URI/,
    );
    expect((await failure(provider.connection('wrong')))?.message).toContain(
      'entry connections.wrong: is neither a string nor an object',
    );
    expect((await failure(provider.variable('gone')))?.message).toContain('entry variables.gone: is null');
    expect(await provider.connection('good')).toMatchObject({ host: 'api.example.com' });
    expect(await provider.variable('ok')).toBe('yes');
  });

  it('lets UPDRAFT_CONN_/UPDRAFT_VAR_ env vars win over the file (localSecretProvider)', async () => {
    await write({
      connections: { db: 'postgres://file@db' },
      variables: { bucket: 'from-file', other: 'file-only' },
    });
    const provider = localSecretProvider(home, {
      UPDRAFT_CONN_DB: 'postgres://env@db',
      UPDRAFT_VAR_BUCKET: 'from-env',
    });
    expect(await provider.connection('db')).toMatchObject({ login: 'env' });
    expect(await provider.variable('bucket')).toBe('from-env');
    expect(await provider.variable('other')).toBe('file-only');
  });
});
