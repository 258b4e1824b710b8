/**
 * Helpers the book examples share (not a DAG file: only `*.dag.ts` files are DAGs; esbuild
 * bundles this into each example that imports it).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Root of the examples' files: `UPDRAFT_EXAMPLES_DIR`, else `<tmpdir>/updraft-examples`. */
export function examplesRoot(): string {
  return process.env.UPDRAFT_EXAMPLES_DIR || path.join(tmpdir(), 'updraft-examples');
}

/** A folder per DAG, or per run when `runId` is given (run ids may contain `/`). */
export function exampleDir(dagId: string, runId?: string): string {
  return runId === undefined
    ? path.join(examplesRoot(), dagId)
    : path.join(examplesRoot(), dagId, runId.replace(/[/\\]/g, '_'));
}

/** Writes through a temporary file so a reader never sees half a file; objects are written as JSON. */
export async function writeAtomic(file: string, data: string | Uint8Array | object): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const body =
    typeof data === 'string' || data instanceof Uint8Array ? data : `${JSON.stringify(data, null, 2)}\n`;
  // A name of its own per write: two runs writing the same shared file must not rename each other's.
  const partial = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  await writeFile(partial, body);
  await rename(partial, file);
  return file;
}

/** mulberry32: a small deterministic PRNG, so fixture data is the same for the same seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A stand-in server listening on 127.0.0.1 until `close` is called. */
export interface LocalServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 (a free port); for stand-ins whose lifetime is not one callback. */
export async function startLocalServer(handler: RequestListener): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `fn` with `handler` served on 127.0.0.1 (a free port), closing the server afterwards. */
export async function withLocalServer<T>(
  handler: RequestListener,
  fn: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const server = await startLocalServer(handler);
  try {
    return await fn(server.baseUrl);
  } finally {
    await server.close();
  }
}
