/** API Lambda: API Gateway HTTP API (payload v2, IAM or JWT auth) → Airflow REST API v1 subset. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import { createAwsClients } from './runtime/aws-clients';
import { createAwsDeps, systemClock } from './runtime/aws-deps';
import { readConfig } from './runtime/config';
import { createApiHandler } from './runtime/handlers/api-handler';
import { createApiRouter } from './runtime/http/api';
import { gatewayAuthorizer } from './runtime/http/auth';
import { lambdaKick } from './runtime/kick';

// Built once per cold start; warm invocations reuse clients and the manifest cache.
const config = readConfig();
const deps = createAwsDeps(config, createAwsClients(config));
const kick = config.schedulerFunctionName
  ? lambdaKick(new LambdaClient({}), config.schedulerFunctionName)
  : undefined;
const router = createApiRouter({ ...deps, clock: systemClock, ...(kick && { kick }) });

export const handler = middy(createApiHandler(router, gatewayAuthorizer));
