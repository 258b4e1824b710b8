/** A parsed HTTP request, independent of API Gateway's event shape. */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Query parameters that may repeat (`?tags=a&tags=b`), in order. */
  multiQuery: Record<string, string[]>;
  headers: Record<string, string | undefined>;
  /** Raw body text (base64 already decoded), or undefined. */
  body?: string;
}

/** What a route returns; `body` is JSON unless `text` is given. */
export interface ApiResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** One route handler. */
export type RouteHandler = (request: ApiRequest) => Promise<ApiResponse>;
