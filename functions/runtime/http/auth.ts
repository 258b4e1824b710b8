import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError } from './problem';

/** Decides whether a request may proceed; throws 401/403 as ApiError. */
export type Authorizer = (event: APIGatewayProxyEventV2) => void;

/** Routes reachable without credentials (Airflow's health endpoint). */
export const ANONYMOUS_ROUTES: ReadonlySet<string> = new Set(['/api/v1/health']);

/**
 * Deployed: API Gateway verifies SigV4 (IAM) or the JWT before the Lambda runs; the handler
 * still refuses an event that carries no authorizer context, so a misconfigured route fails closed.
 */
export const gatewayAuthorizer: Authorizer = (event) => {
  const context = (event.requestContext as { authorizer?: { iam?: unknown; jwt?: unknown } }).authorizer;
  if (!context?.iam && !context?.jwt) {
    throw new ApiError(401, 'Unauthenticated', 'this route requires IAM (SigV4) or JWT authorization');
  }
};

/** Local mode: `Authorization: Bearer <token>` compared in constant time. */
export function bearerAuthorizer(token: string): Authorizer {
  const expected = Buffer.from(token);
  return (event) => {
    const header = event.headers?.authorization ?? event.headers?.Authorization;
    if (!header)
      throw new ApiError(401, 'Unauthenticated', 'send Authorization: Bearer <token> (printed at startup)');
    const [scheme, value = ''] = header.split(' ', 2);
    const given = Buffer.from(value);
    const ok =
      scheme?.toLowerCase() === 'bearer' &&
      given.length === expected.length &&
      timingSafeEqual(given, expected);
    if (!ok) throw new ApiError(403, 'Forbidden', 'the bearer token is not valid');
  };
}
