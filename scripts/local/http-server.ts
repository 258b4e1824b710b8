import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Largest request body the local server accepts (API Gateway's payload limit is 10 MB). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The API handler as API Gateway calls it. */
export type ApiGatewayHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Serves an API Gateway HTTP API (payload v2) handler over plain HTTP on loopback: each request
 * becomes the event API Gateway would send, so local mode runs the very same handler.
 */
export async function serveApi(
  handler: ApiGatewayHandler,
  options: { port: number; host?: string },
): Promise<{ server: Server; url: string }> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const result = await handler(toEvent(req, body));
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(
        result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''),
      );
    } catch (error) {
      const tooLarge = (error as Error).message === 'payload too large';
      res.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          title: tooLarge ? 'Request Too Large' : 'Internal Server Error',
          status: tooLarge ? 413 : 500,
        }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { server, url: `http://${host}:${port}` };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('payload too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The payload v2 event API Gateway would build for this request. */
export function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0,
    ...(body.length > 0 && { body: body.toString('base64') }),
  };
}
