/** An Airflow connection (from a URI like `postgres://user:pass@host:5432/db?sslmode=require` or JSON). */
export interface Connection {
  connId: string;
  connType: string;
  host?: string;
  port?: number;
  login?: string;
  password?: string;
  schema?: string;
  extra: Record<string, unknown>;
}

/** Connections and variables for tasks (Secrets Manager in AWS, a file or env vars locally). */
export interface SecretProvider {
  /** Connection `id` (secret `updraft/connections/<id>`), or undefined when it does not exist. */
  connection(id: string): Promise<Connection | undefined>;
  /** Variable `key` (secret `updraft/variables/<key>`) as a string, or undefined. */
  variable(key: string): Promise<string | undefined>;
}
