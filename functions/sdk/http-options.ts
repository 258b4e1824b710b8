import type { OperatorSpec } from '../core/model';

/** The request of `http()` and `httpSensor()` (Airflow's HttpOperator and HttpSensor take the same). */
export interface HttpRequestOptions {
  /** Absolute URL, or the path under the connection's base URL (Airflow's `endpoint`). */
  url: string;
  /** Connection id whose host, schema, port, login and password are used (Airflow's `http_conn_id`). */
  httpConnId?: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Statuses that succeed (for the sensor: meet its condition). Default: any 2xx, as Airflow's `raise_for_status`. */
  expectedStatus?: number[];
}

/** The request fields of an http operator spec. */
type HttpRequestSpec = Pick<
  Extract<OperatorSpec, { kind: 'http' }>,
  'url' | 'method' | 'headers' | 'httpConnId' | 'body' | 'expectedStatus'
>;

/** Splits the request (defaults applied, unset optional fields left out) from the other options. */
export function splitRequest<O extends HttpRequestOptions>(
  options: O,
): { request: HttpRequestSpec; rest: Omit<O, keyof HttpRequestOptions> } {
  const { url, httpConnId, method = 'GET', headers = {}, body, expectedStatus, ...rest } = options;
  const request = {
    url,
    method,
    headers,
    ...(httpConnId !== undefined && { httpConnId }),
    ...(body !== undefined && { body }),
    ...(expectedStatus !== undefined && { expectedStatus }),
  };
  return { request, rest };
}
