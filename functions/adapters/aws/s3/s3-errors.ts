/** How S3 failures look through SDK v3, named once so every S3 adapter reads them the same way. */

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(error: unknown): number | undefined {
  return (error as SdkError | null)?.$metadata?.httpStatusCode;
}

function named(error: unknown): string | undefined {
  return (error as SdkError | null)?.name;
}

/** GetObject on a key that does not exist (not a missing bucket, which is also a 404 but a setup error). */
export function isNoSuchKey(error: unknown): boolean {
  return named(error) === 'NoSuchKey';
}

/** Any request on a bucket that does not exist. */
export function isNoSuchBucket(error: unknown): boolean {
  return named(error) === 'NoSuchBucket';
}

/** A HEAD request on a missing key or bucket: HEAD responses have no body, so only `NotFound`/404 tells. */
export function isNotFound(error: unknown): boolean {
  return named(error) === 'NotFound' || isNoSuchBucket(error) || status(error) === 404;
}

/** A conditional GET (`IfNoneMatch`) whose object did not change: HTTP 304. */
export function isNotModified(error: unknown): boolean {
  return named(error) === 'NotModified' || status(error) === 304;
}

/** A Range GET starting at or past the end of the object: HTTP 416. */
export function isInvalidRange(error: unknown): boolean {
  return named(error) === 'InvalidRange' || status(error) === 416;
}

/** The bytes of a GetObject body (a stream in Node; empty when S3 sent none). */
export async function bodyBytes(body: { transformToByteArray(): Promise<Uint8Array> } | undefined) {
  return body ? await body.transformToByteArray() : new Uint8Array();
}
