import type { RequestCounter } from '../../functions/adapters/aws/request-counter';
import { type AwsClients, createAwsClients } from '../../functions/runtime/aws-clients';

/** A closed loopback port: services no emulator serves (Secrets Manager, CloudWatch Logs, Athena) must never be reached. */
const UNSERVED = 'http://127.0.0.1:9';

/** The runtime's clients pointed at the emulators (dummy credentials; never an AWS endpoint). */
export function emulatedClients(
  endpoints: { dynamo: string; fauxqs: string },
  counter?: RequestCounter,
): AwsClients {
  return createAwsClients(
    {},
    {
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoints: {
        dynamo: endpoints.dynamo,
        sqs: endpoints.fauxqs,
        s3: endpoints.fauxqs,
        // fauxqs speaks SNS too: SNS notifiers publish to the emulator in local mode.
        sns: endpoints.fauxqs,
        secrets: UNSERVED,
        logs: UNSERVED,
        // No Athena emulator exists: local mode turns athena_query off, and this keeps AWS unreachable.
        athena: UNSERVED,
        lambda: UNSERVED,
      },
      ...(counter && { counter }),
    },
  );
}
