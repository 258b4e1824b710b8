/** What one invocation answered. */
export interface InvocationResult {
  /** 200 (RequestResponse) or 202 (Event). */
  statusCode: number;
  /** The function's response body (JSON text as the function returned it); empty for Event. */
  payload: string;
  /** `Unhandled` / `Handled` when the function threw: `payload` then holds its error JSON. */
  functionError?: string;
  /** The version that ran (`$LATEST` or a number), for "what ran" questions. */
  executedVersion?: string;
}

/** Invokes an existing function by name or ARN (AWS Lambda); rejects only when the call itself fails. */
export interface FunctionInvoker {
  invoke(request: {
    functionName: string;
    payload: string;
    invocationType: 'RequestResponse' | 'Event';
    signal?: AbortSignal;
  }): Promise<InvocationResult>;
}
