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

/** The environment-variable spelling of a connection or variable id (Airflow's `AIRFLOW_CONN_<ID>` rule). */
export function secretEnvName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
