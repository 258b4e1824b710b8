import { describe, expect, it } from 'vitest';
import {
  InvalidConnectionError,
  parseConnection,
} from '../../../../functions/adapters/shared/parse-connection';
import type { Connection } from '../../../../functions/ports/secret-provider';

type Expected = Omit<Connection, 'connId' | 'extra'> & { extra?: Record<string, unknown> };

const shapes: [string, string, Expected][] = [
  [
    'the full URI form with an escaped password and extras',
    'postgres://user:p%40ss@host:5432/db?sslmode=require',
    {
      connType: 'postgres',
      login: 'user',
      password: 'p@ss',
      host: 'host',
      port: 5432,
      schema: 'db',
      extra: { sslmode: 'require' },
    },
  ],
  [
    'postgresql is postgres',
    'postgresql://u@h/db',
    { connType: 'postgres', login: 'u', host: 'h', schema: 'db' },
  ],
  [
    'no port, no schema, no password',
    'mysql://root@localhost',
    { connType: 'mysql', login: 'root', host: 'localhost' },
  ],
  [
    'dashes in the type and JSON extras in __extra__',
    'google-cloud-platform://?__extra__=%7B%22project%22%3A%22p%22%2C%22n%22%3A1%7D',
    { connType: 'google_cloud_platform', extra: { project: 'p', n: 1 } },
  ],
  [
    'credentials without a host (AWS style)',
    'aws://AKIAEXAMPLE:se%2Fcr%2Bet@/?region_name=eu-west-1',
    { connType: 'aws', login: 'AKIAEXAMPLE', password: 'se/cr+et', extra: { region_name: 'eu-west-1' } },
  ],
  [
    'a protocol kept in the host',
    'http://https://example.com:443/api',
    { connType: 'http', host: 'https://example.com', port: 443, schema: 'api' },
  ],
  [
    'an IPv6 host',
    'postgres://u:p@[::1]:5432/db',
    { connType: 'postgres', login: 'u', password: 'p', host: '::1', port: 5432, schema: 'db' },
  ],
  [
    'a %-encoded socket path as host',
    'postgres://u@%2Fvar%2Frun%2Fpg/db',
    { connType: 'postgres', login: 'u', host: '/var/run/pg', schema: 'db' },
  ],
  [
    'repeated, blank and "+" query values (last wins, like parse_qsl into a dict)',
    'redis://cache:6379/0?a=1&a=2&b=&q=x+y',
    { connType: 'redis', host: 'cache', port: 6379, schema: '0', extra: { a: '2', b: '', q: 'x y' } },
  ],
  [
    'an upper-case host is lower-cased (urlsplit)',
    'ssh://u@Bastion.Example.COM:22',
    { connType: 'ssh', login: 'u', host: 'bastion.example.com', port: 22 },
  ],
  [
    '":" and "@" unescaped in the password',
    'ftp://u:a:b@c@files',
    { connType: 'ftp', login: 'u', password: 'a:b@c', host: 'files' },
  ],
  ['an empty password is none', 'ftp://u:@files', { connType: 'ftp', login: 'u', host: 'files' }],
  ['surrounding whitespace (a pasted secret)', '  sqlite://  \n', { connType: 'sqlite' }],
  [
    'the JSON form',
    '{"conn_type":"postgres","host":"h","login":"u","password":"p@ss","port":5432,"schema":"db","extra":{"sslmode":"require"}}',
    {
      connType: 'postgres',
      host: 'h',
      login: 'u',
      password: 'p@ss',
      port: 5432,
      schema: 'db',
      extra: { sslmode: 'require' },
    },
  ],
  [
    'the JSON form with a string port and string extra',
    '{"conn_type":"postgresql","port":"5432","extra":"{\\"a\\": [1]}","description":"warehouse","login":null}',
    { connType: 'postgres', port: 5432, extra: { a: [1] } },
  ],
  ['the minimal JSON form', '{"conn_type":"http"}', { connType: 'http' }],
];

describe('parseConnection', () => {
  it.each(shapes)('parses %s', (_name, secret, expected) => {
    expect(parseConnection('my_conn', secret)).toEqual({ connId: 'my_conn', extra: {}, ...expected });
  });

  const invalid: [string, string, RegExp][] = [
    ['text that is no URI', 'hunter2-secret', /expected a URI/],
    ['too many "://"', 'a://b://c://hunter2-secret', /expected a URI/],
    ['credentials before a protocol', 'http://us:hunter2-secret@https://x', /misplaced/],
    ['a port that is no number', 'postgres://h:hunter2-secret/db', /port is not a number/],
    ['a port out of range', 'postgres://h:70000/db', /out of range/],
    ['a malformed escape', 'postgres://u:hunter2-secret%zz@h', /malformed %-escape/],
    ['__extra__ that is not JSON', 'http://h?__extra__=hunter2-secret', /extra is not valid JSON/],
    ['__extra__ that is not an object', 'http://h?__extra__=%5B1%5D', /extra must be a JSON object/],
    ['broken JSON', '{"conn_type": "postgres", "password": "hunter2-secret"', /not valid JSON/],
    ['JSON without conn_type', '{"host":"h","password":"hunter2-secret"}', /conn_type/],
    ['JSON with an unknown key', '{"conn_type":"x","pasword":"hunter2-secret"}', /pasword/],
    ['JSON with a non-numeric port', '{"conn_type":"x","port":"hunter2-secret"}', /port/],
  ];

  it.each(invalid)('rejects %s without quoting the secret', (_name, secret, message) => {
    let error: unknown;
    try {
      parseConnection('my_conn', secret);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConnectionError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('connection "my_conn"');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
