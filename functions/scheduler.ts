/** Scheduler Lambda: EventBridge rate rule (and kicks) → one scheduler tick. */
import middy from '@middy/core';
import { createAwsClients } from './runtime/aws-clients';
import { createAwsDeps } from './runtime/aws-deps';
import { readConfig } from './runtime/config';
import { createSchedulerHandler } from './runtime/handlers/scheduler-handler';

// Built once per cold start; warm invocations reuse clients, caches and the manifest ETag.
const config = readConfig();
const deps = createAwsDeps(config, createAwsClients(config));

const containers = deps.containerCompletion && {
  deps: deps.containerCompletion,
  containerName: config.ecsContainerName,
};

export const handler = middy(createSchedulerHandler(deps.tick, containers));
