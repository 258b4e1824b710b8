import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../functions/core/connection';
import { baseUrl, joinUrl, planRequest } from '../../../functions/operators/http-request';

const conn = (fields: Partial<Connection>): Connection => ({
  connId: 'c',
  connType: 'http',
  extra: {},
  ...fields,
});

describe('http request planning (Airflow HttpHook rules)', () => {
  it.each<[name: string, connection: Connection, expected: string]>([
    ['host only: http', conn({ host: 'api.example.com' }), 'http://api.example.com'],
    ['schema and port', conn({ host: 'api', schema: 'https', port: 8443 }), 'https://api:8443'],
    ['an https connection type defaults to https', conn({ connType: 'https', host: 'api' }), 'https://api'],
    [
      'a host with a scheme is used as is',
      conn({ host: 'https://api/v2', schema: 'http' }),
      'https://api/v2',
    ],
  ])('base URL: %s', (_name, connection, expected) => {
    expect(baseUrl(connection)).toBe(expected);
  });

  it.each([
    ['http://h', 'x', 'http://h/x'],
    ['http://h/', 'x', 'http://h/x'],
    ['http://h', '/x', 'http://h/x'],
    ['http://h', '', 'http://h'],
  ])('joins %s and %s with one slash', (base, endpoint, expected) => {
    expect(joinUrl(base, endpoint)).toBe(expected);
  });

  it('uses the url and headers as given without a connection', () => {
    const spec = {
      kind: 'http',
      method: 'GET',
      url: 'https://x/y',
      headers: { a: '1' },
      responseToXcom: true,
      logResponse: false,
    } as const;
    expect(planRequest(spec, undefined)).toEqual({ url: 'https://x/y', headers: { a: '1' } });
  });

  it("lets the task's headers replace the connection's, whatever their case", () => {
    const spec = {
      kind: 'http',
      method: 'GET',
      url: 'y',
      headers: { authorization: 'Bearer t' },
      responseToXcom: true,
      logResponse: false,
    } as const;
    const plan = planRequest(
      spec,
      conn({ host: 'h', login: 'u', password: 'p', extra: { Accept: 'text/csv', timeout: 5 } }),
    );
    expect(plan).toEqual({ url: 'http://h/y', headers: { Accept: 'text/csv', authorization: 'Bearer t' } });
  });
});
