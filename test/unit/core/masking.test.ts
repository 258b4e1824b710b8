import { describe, expect, it } from 'vitest';
import { isSensitiveName, MASK, SecretMasker } from '../../../functions/core/masking';
import { displayEntry, displayValue } from '../../../functions/core/xcom-display';

const masker = (...secrets: string[]) => {
  const m = new SecretMasker();
  for (const s of secrets) m.add(s);
  return m;
};

describe('SecretMasker.mask', () => {
  const SECRET = 'p@ss:w/rd?#%+&= "q" \\ ü\nline-two';
  const cases: [string, string[], string, string][] = [
    ['raw', ['hunter22'], 'pw=hunter22.', 'pw=***.'],
    ['every occurrence', ['hunter22'], 'hunter22 hunter22', '*** ***'],
    ['URL-encoded', ['p@ss word'], 'postgres://u:p%40ss%20word@h', 'postgres://u:***@h'],
    ['form-encoded with +', ['p@ss word'], 'password=p%40ss+word&x=1', 'password=***&x=1'],
    ['WHATWG userinfo', ["p@ss'w(rd)"], `${new URL("http://u:p%40ss'w(rd)@h").href}`, 'http://u:***@h/'],
    ['JSON-escaped', ['say "hi"\\now'], JSON.stringify({ p: 'say "hi"\\now' }), '{"p":"***"}'],
    ['JSON \\u escapes', ['pässwörd'], '{"p":"p\\u00e4ssw\\u00f6rd"}', '{"p":"***"}'],
    [
      'JSON inside JSON',
      ['a"b\\cdef'],
      JSON.stringify({ body: JSON.stringify({ p: 'a"b\\cdef' }) }),
      '{"body":"{\\"p\\":\\"***\\"}"}',
    ],
    ['each line of a multi-line secret', ['first-line\nsecond-line'], 'got second-line', 'got ***'],
    ['a multi-line secret whole', ['first-line\nsecond-line'], 'x first-line\nsecond-line y', 'x *** y'],
    ['CRLF lines', ['first-line\r\nsecond-line'], 'first-line|second-line', '***|***'],
    ['longest first', ['secret', 'secret-and-more'], 'secret-and-more', '***'],
    ['overlapping secrets', ['abcdefgh', 'efghijkl'], 'abcdefghijkl!', '***!'],
    ['a secret inside another', ['T0k3n-secret', 'secret'], 'T0k3n-secret secret', '*** ***'],
    ['shorter than 5: kept', ['abcd'], 'abcd', 'abcd'],
    ['short lines: kept', ['ab\ncdefgh'], 'ab cdefgh', 'ab ***'],
    ['unicode', ['🔐🔐🔐'], 'key 🔐🔐🔐', 'key ***'],
    ['unrelated text', ['hunter22'], 'nothing here', 'nothing here'],
    [
      'everything at once',
      [SECRET],
      `${SECRET} ${encodeURIComponent(SECRET)} ${JSON.stringify(SECRET)}`,
      '*** *** "***"',
    ],
  ];
  it.each(cases)('%s', (_name, secrets, text, expected) => {
    expect(masker(...secrets).mask(text)).toBe(expected);
  });

  it('masks nothing without secrets', () => {
    expect(new SecretMasker().mask('hunter22')).toBe('hunter22');
  });
});

describe('SecretMasker.maskJson', () => {
  const m = masker('hunter22');
  const cases: [string, unknown, unknown][] = [
    ['strings', { dsn: 'u:hunter22@h' }, { dsn: `u:${MASK}@h` }],
    ['keys', { hunter22: 1 }, { [MASK]: 1 }],
    ['numbers equal to a secret', [12345678], [MASK]],
    [
      'sensitive keys, whatever the value',
      { api_key: 'abc', nested: { password: ['x', 2] } },
      { api_key: MASK, nested: { password: [MASK, 2] } },
    ],
    ['other values', { ok: true, n: null, count: 3 }, { ok: true, n: null, count: 3 }],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    const secrets = masker('hunter22', '12345678');
    expect(secrets.maskJson(value as never)).toEqual(expected);
  });
  it('leaves values without secrets equal', () => {
    expect(m.maskJson({ a: [1, 'b'] })).toEqual({ a: [1, 'b'] });
  });
});

describe('what counts as secret', () => {
  it.each([
    ['password', true],
    ['DB_PASSWORD', true],
    ['Api-Key'.replace('-', '_'), true],
    ['slack_token', true],
    ['gcp_keyfile_dict', true],
    ['aws_secret_access_key', true],
    ['target_bucket', false],
    ['region', false],
  ])('%s → %s', (name, sensitive) => {
    expect(isSensitiveName(name)).toBe(sensitive);
  });

  it('takes connection passwords and sensitive extras, not hosts or logins', () => {
    const m = new SecretMasker();
    m.addConnection({
      connId: 'db',
      connType: 'postgres',
      host: 'db.internal',
      login: 'etl_user',
      password: 'hunter22',
      extra: { region: 'eu-west-1', api_key: 'key-12345', nested: { private_key: 'pk-67890' } },
    });
    expect(m.mask('etl_user@db.internal hunter22 key-12345 pk-67890 eu-west-1')).toBe(
      'etl_user@db.internal *** *** *** eu-west-1',
    );
  });

  it('takes variables with sensitive keys and sensitive fields of JSON variables', () => {
    const m = new SecretMasker();
    m.addVariable('slack_token', 'xoxb-123456');
    m.addVariable('target_bucket', 'my-bucket-name');
    m.addVariable('config', '{"region":"eu-west-1","password":"pw-98765"}');
    expect(m.mask('xoxb-123456 my-bucket-name pw-98765 eu-west-1')).toBe('*** my-bucket-name *** eu-west-1');
  });
});

describe('XCom display copies', () => {
  const real = { dsn: 'u:hunter22@h' };
  const masked = { dsn: 'u:***@h' };
  it.each([
    ['no copy: the value', undefined, real],
    ['a copy of this value: the copy', displayEntry(real, masked), masked],
    ['a copy of another value: *** (fails closed)', displayEntry({ other: 1 }, masked), MASK],
    ['a malformed copy: ***', 'garbage', MASK],
  ])('%s', (_name, entry, shown) => {
    expect(displayValue(real, entry as never)).toEqual(shown);
  });
});
