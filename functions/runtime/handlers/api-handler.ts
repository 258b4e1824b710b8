import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ANONYMOUS_ROUTES, type Authorizer } from '../http/auth';
import { ApiError, problemBody } from '../http/problem';
import type { Router } from '../http/router';
import type { ApiRequest, ApiResponse } from '../http/types';
import { errorFields, logJson } from '../log';

/**
 * API Gateway HTTP API (payload v2) handler: authorize, route, run, and render the result or
 * a problem JSON. Bad input is always a 4xx; only bugs and infrastructure failures are 500s,
 * logged with their cause and answered without internals.
 */
export function createApiHandler(router: Router, authorize: Authorizer) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    try {
      if (!ANONYMOUS_ROUTES.has(path)) authorize(event);
      const { handler, params } = router.match(method, path);
      return render(await handler(toRequest(event, method, path, params)));
    } catch (error) {
      if (error instanceof ApiError) return render({ status: error.status, body: problemBody(error) }, true);
      logJson('error', 'API request failed', { method, path, ...errorFields(error) });
      const internal = new ApiError(
        500,
        'Internal Server Error',
        'the request failed; see the API function logs',
      );
      return render({ status: 500, body: problemBody(internal) }, true);
    }
  };
}

function toRequest(
  event: APIGatewayProxyEventV2,
  method: string,
  path: string,
  params: Record<string, string>,
): ApiRequest {
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(event.rawQueryString ?? '')) {
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  const query = Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v[0]]));
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const body =
    event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return { method, path, params, query, multiQuery, headers, ...(body !== undefined && { body }) };
}

function render(response: ApiResponse, problem = false): APIGatewayProxyStructuredResultV2 {
  if (response.text !== undefined) {
    return {
      statusCode: response.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...response.headers },
      body: response.text,
    };
  }
  const type = problem ? 'application/problem+json' : 'application/json';
  return {
    statusCode: response.status,
    headers: { 'content-type': type, ...response.headers },
    ...(response.body !== undefined && { body: JSON.stringify(response.body) }),
  };
}
