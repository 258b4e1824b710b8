import { buildApp } from 'fauxqs';
import type { RunningEmulator } from './dynamodb';

/**
 * Starts fauxqs (SQS + S3) on a free loopback port. `startFauxqs` binds 0.0.0.0; building the
 * app and listening ourselves keeps the emulator on loopback only.
 */
export async function startFauxqs(): Promise<RunningEmulator> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { endpoint: address.replace('localhost', '127.0.0.1'), stop: () => app.close() };
}
