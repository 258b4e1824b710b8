import type { Connection } from '../core/connection';

export type { Connection };

/** Connections and variables for tasks (Secrets Manager in AWS, a file or env vars locally). */
export interface SecretProvider {
  /** Connection `id` (secret `updraft/connections/<id>`), or undefined when it does not exist. */
  connection(id: string): Promise<Connection | undefined>;
  /** Variable `key` (secret `updraft/variables/<key>`) as a string, or undefined. */
  variable(key: string): Promise<string | undefined>;
}
