/** Worker Lambda: SQS task messages → task attempts, with partial batch failures. */
import middy from '@middy/core';
import { createAwsClients } from './runtime/aws-clients';
import { createAwsDeps } from './runtime/aws-deps';
import { readConfig } from './runtime/config';
import { createWorkerHandler } from './runtime/handlers/worker-handler';

// Built once per cold start; warm invocations reuse clients and the loaded bundle versions.
const config = readConfig();
const deps = createAwsDeps(config, createAwsClients(config));

// Lambda sets the function's memory; the worker refuses tasks that declare more (see memoryLimitMiB).
const memoryLimitMiB = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || undefined;

export const handler = middy(
  createWorkerHandler(
    { ...deps.worker, ...(memoryLimitMiB && { memoryLimitMiB }) },
    { safetyMarginSeconds: config.lambdaSafetyMarginSeconds },
  ),
);
