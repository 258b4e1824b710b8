import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { errorFields, logJson } from './log';

/**
 * Asks the scheduler for a tick now (an async Lambda invoke, a few ms), so a triggered run
 * starts within a second instead of at the next minute. A failed kick is only logged: the
 * EventBridge tick picks the run up anyway.
 */
export function lambdaKick(client: LambdaClient, functionName: string): () => Promise<void> {
  return async () => {
    try {
      await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: '{"source":"updraft.kick"}',
        }),
      );
    } catch (error) {
      logJson('warn', 'scheduler kick failed; the next tick will pick the run up', errorFields(error));
    }
  };
}
