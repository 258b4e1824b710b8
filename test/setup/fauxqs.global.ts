import type { TestProject } from 'vitest/node';
import { startFauxqs } from '../../scripts/emulators/fauxqs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the fauxqs (SQS + S3) emulator shared by the whole run. */
    fauxqsEndpoint: string;
  }
}

/** Vitest globalSetup: one fauxqs for the run, its endpoint provided to the tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fauxqs = await startFauxqs();
  project.provide('fauxqsEndpoint', fauxqs.endpoint);
  return fauxqs.stop;
}
