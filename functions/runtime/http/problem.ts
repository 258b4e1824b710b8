/** Airflow's problem types (stable REST API v1 `Errors` section), by HTTP status. */
const TYPES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthenticated',
  403: 'PermissionDenied',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'AlreadyExists',
  413: 'RequestTooLarge',
  415: 'UnsupportedMediaType',
  500: 'Unknown',
};

/** An error with an HTTP status, rendered as problem JSON (RFC 7807) like Airflow's API. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(detail ? `${title}: ${detail}` : title, options);
  }
}

/** 400 naming the offending field. */
export const badRequest = (detail: string) => new ApiError(400, 'Bad Request', detail);
/** 404 naming what was not found. */
export const notFound = (title: string, detail?: string) => new ApiError(404, title, detail);

/** The problem JSON body of an error. */
export function problemBody(error: ApiError): Record<string, unknown> {
  const type = TYPES[error.status] ?? 'Unknown';
  return {
    type: `https://airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html#section/Errors/${type}`,
    title: error.title,
    status: error.status,
    ...(error.detail !== undefined && { detail: error.detail }),
  };
}
