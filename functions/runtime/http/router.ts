import { ApiError } from './problem';
import type { RouteHandler } from './types';

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** A minimal method + path router; `{name}` segments become decoded params. */
export class Router {
  private readonly routes: Route[] = [];

  /** Registers `method path` (e.g. `GET /api/v1/dags/{dag_id}`). */
  on(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** The handler and params for a request; 404 for an unknown path, 405 for a known path with another method. */
  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } {
    let pathMatched = false;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decode(found[i + 1]!, name);
      });
      return { handler: route.handler, params };
    }
    if (pathMatched) throw new ApiError(405, 'Method Not Allowed', `${method} is not supported on ${path}`);
    throw new ApiError(404, 'Not Found', `no endpoint ${method} ${path}`);
  }
}

function decode(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'Bad Request', `path parameter ${name} is not valid URL encoding`);
  }
}
