/**
 * Counts AWS SDK v3 requests per service and operation, for cost tests and benchmarks
 * ("an unchanged bundle costs one conditional GET per tick").
 */

/** Calls (what the code asked for) and attempts (what went on the wire, retries included). */
export interface RequestTally {
  calls: number;
  attempts: number;
}

/** One row of a snapshot: `service` is the client name without `Client` (`S3`), `operation` the command's. */
export interface RequestCount extends RequestTally {
  service: string;
  operation: string;
}

// Structural slices of the SDK's types, so this file needs no direct dependency on @smithy/types.
type Handler<A, R> = (args: A) => Promise<R>;
interface HandlerContext {
  clientName?: string;
  commandName?: string;
}
/** Generic in the handler's types, so it fits every step of every client's stack. */
type Middleware = <A, R>(next: Handler<A, R>, context: HandlerContext) => Handler<A, R>;

interface StepOptions<S extends string> {
  step: S;
  name: string;
  priority: 'high' | 'low';
  override: boolean;
}

/** Any AWS SDK v3 client (only its middleware stack is used). */
export interface MiddlewareClient {
  middlewareStack: {
    add(middleware: Middleware, options: StepOptions<'initialize'>): void;
    add(middleware: Middleware, options: StepOptions<'deserialize'>): void;
    remove(name: string): boolean;
  };
}

/** Tallies by service and operation; attach it to clients with `attachRequestCounter`. */
export class RequestCounter {
  private readonly tallies = new Map<string, RequestCount>();

  /** Records one logical call or one wire attempt. */
  record(kind: keyof RequestTally, clientName = 'Unknown', commandName = 'Unknown'): void {
    const service = clientName.replace(/Client$/, '');
    const operation = commandName.replace(/Command$/, '');
    const id = `${service} ${operation}`;
    const tally = this.tallies.get(id) ?? { service, operation, calls: 0, attempts: 0 };
    tally[kind] += 1;
    this.tallies.set(id, tally);
  }

  /** Every counted operation, sorted by service then operation. */
  snapshot(): RequestCount[] {
    return [...this.tallies.values()]
      .map((tally) => ({ ...tally }))
      .sort((a, b) => `${a.service} ${a.operation}`.localeCompare(`${b.service} ${b.operation}`));
  }

  /** The tally of one operation (zeros when it never ran), e.g. `count('S3', 'GetObject')`. */
  count(service: string, operation: string): RequestTally {
    const tally = this.tallies.get(`${service} ${operation}`);
    return { calls: tally?.calls ?? 0, attempts: tally?.attempts ?? 0 };
  }

  /** Totals per service, e.g. `{ S3: { calls: 3, attempts: 4 } }`. */
  byService(): Record<string, RequestTally> {
    const out: Record<string, RequestTally> = {};
    for (const { service, calls, attempts } of this.tallies.values()) {
      const total = out[service] ?? { calls: 0, attempts: 0 };
      out[service] = { calls: total.calls + calls, attempts: total.attempts + attempts };
    }
    return out;
  }

  /** Forgets every count. */
  reset(): void {
    this.tallies.clear();
  }
}

let nextId = 0;

/**
 * Adds the counting middleware to `client`; returns a function that removes it. Calls are counted in
 * the initialize step (once per `send`), attempts in the deserialize step, which sits below the retry
 * middleware and therefore runs once per attempt, failed ones included.
 */
export function attachRequestCounter(client: MiddlewareClient, counter: RequestCounter): () => void {
  const id = ++nextId;
  const names = { calls: `updraftRequestCounterCalls${id}`, attempts: `updraftRequestCounterAttempts${id}` };
  const counting =
    (kind: keyof RequestTally): Middleware =>
    (next, context) =>
    (args) => {
      counter.record(kind, context.clientName, context.commandName);
      return next(args);
    };
  const common = { priority: 'high', override: false } as const;
  client.middlewareStack.add(counting('calls'), {
    ...common,
    step: 'initialize' as const,
    name: names.calls,
  });
  client.middlewareStack.add(counting('attempts'), {
    ...common,
    step: 'deserialize' as const,
    name: names.attempts,
  });
  return () => {
    client.middlewareStack.remove(names.calls);
    client.middlewareStack.remove(names.attempts);
  };
}
