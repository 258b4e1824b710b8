import type { z } from 'zod';
import { badRequest } from './problem';
import type { ApiRequest } from './types';

/** Airflow's `maximum_page_limit` default. */
export const MAX_PAGE_LIMIT = 100;

/** `limit` and `offset` as Airflow validates them (limit 1..100, default 100; offset ≥ 0). */
export function pagination(request: ApiRequest): { limit: number; offset: number } {
  return {
    limit: integer(request, 'limit', 100, 1, MAX_PAGE_LIMIT),
    offset: integer(request, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** A whole-number query parameter within bounds, or 400 naming it. */
export function integer(
  request: ApiRequest,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = request.query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw badRequest(
      `query parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A boolean query parameter (`true`/`false`), or 400 naming it. */
export function boolean(request: ApiRequest, name: string, fallback: boolean): boolean {
  const raw = request.query[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false')
    throw badRequest(`query parameter ${name} must be true or false, got ${JSON.stringify(raw)}`);
  return raw === 'true';
}

/** The JSON body validated by `schema`; 400 naming the first bad field otherwise. */
export function jsonBody<S extends z.ZodType>(
  request: ApiRequest,
  schema: S,
  maxBytes = 256 * 1024,
): z.infer<S> {
  const text = request.body ?? '';
  if (Buffer.byteLength(text) > maxBytes) throw badRequest(`request body is larger than ${maxBytes} bytes`);
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw badRequest(`${field}: ${issue.message}`);
  }
  return parsed.data;
}
