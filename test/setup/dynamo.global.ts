import type { TestProject } from 'vitest/node';
import { startDynalite, startDynamoDbLocal } from '../../scripts/emulators/dynamodb';

/**
 * Starts the two DynamoDB emulators the contract tests run against, once per `vitest` run.
 * Tests get their endpoints with `inject('dynamoEndpoints')` and create a table of their own
 * (test/helpers/dynamo.ts).
 */

declare module 'vitest' {
  interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of each DynamoDB emulator. */
    dynamoEndpoints: { dynalite: string; dynamoDbLocal: string };
  }
}

/** Vitest globalSetup: starts both emulators, provides their endpoints, stops them on teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [dynalite, local] = await Promise.allSettled([startDynalite(), startDynamoDbLocal()]);
  if (dynalite.status === 'rejected' || local.status === 'rejected') {
    if (dynalite.status === 'fulfilled') await dynalite.value.stop();
    if (local.status === 'fulfilled') await local.value.stop();
    throw dynalite.status === 'rejected' ? dynalite.reason : (local as PromiseRejectedResult).reason;
  }
  project.provide('dynamoEndpoints', {
    dynalite: dynalite.value.endpoint,
    dynamoDbLocal: local.value.endpoint,
  });
  if (process.env.UPDRAFT_DEBUG_EMULATORS) {
    console.info(`DynamoDB emulators up in ${Date.now() - started} ms`);
  }
  return async () => {
    await Promise.all([dynalite.value.stop(), local.value.stop()]);
  };
}
