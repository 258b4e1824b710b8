import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { MemoryLogSink } from '../../../functions/adapters/memory/log-sink';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createApiHandler } from '../../../functions/runtime/handlers/api-handler';
import { createApiRouter } from '../../../functions/runtime/http/api';
import { bearerAuthorizer } from '../../../functions/runtime/http/auth';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';

export const TOKEN = 'test-token';

/** An API Gateway HTTP API (payload v2) event, as recorded from a real API. */
export function apiEvent(
  method: string,
  pathAndQuery: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = pathAndQuery.split('?', 2);
  const token = options.token === undefined ? TOKEN : options.token;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      'content-type': 'application/json',
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '01/May/2024:00:00:00 +0000',
      timeEpoch: 1714521600000,
    },
    isBase64Encoded: false,
    ...(body !== undefined && { body }),
  };
}

/** The API over memory ports with the runtime fixture DAGs published; `call` returns status + parsed body. */
export async function apiFixture() {
  const ports = memoryPorts();
  const harness = createHarness(ports);
  await publishDags(ports.bundles, 'test/fixtures/dags/runtime');
  await ports.store.setDagPaused('rt_daily', true);
  let kicks = 0;
  const router = createApiRouter({
    ...ports,
    logs: ports.logs as MemoryLogSink,
    clock: harness.clock,
    kick: async () => {
      kicks++;
    },
  });
  const handler = createApiHandler(router, bearerAuthorizer(TOKEN));
  const call = async (...args: Parameters<typeof apiEvent>) => {
    const result = await handler(apiEvent(...args));
    const type = String(result.headers?.['content-type'] ?? '');
    const body = result.body && type.includes('json') ? JSON.parse(result.body) : result.body;
    return { status: result.statusCode, body, type };
  };
  const trigger = async (dagId: string, conf = {}) => {
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId, conf });
    if (!result.ok) throw new Error(result.message);
    return result.run;
  };
  return { ports, harness, call, trigger, kicks: () => kicks };
}
