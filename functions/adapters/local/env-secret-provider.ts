import { secretEnvName } from '../../core/connection';
import type { Connection, SecretProvider } from '../../ports/secret-provider';
import { parseConnection } from '../shared/parse-connection';

/**
 * Connections and variables from environment variables, Airflow's `AIRFLOW_CONN_<ID>` /
 * `AIRFLOW_VAR_<KEY>` convention with Updraft's prefix: `UPDRAFT_CONN_MY_DB` holds the URI (or
 * JSON) of connection `my_db`, `UPDRAFT_VAR_TARGET_BUCKET` the variable `target_bucket`.
 */
export class EnvSecretProvider implements SecretProvider {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async connection(id: string): Promise<Connection | undefined> {
    const value = this.env[`UPDRAFT_CONN_${secretEnvName(id)}`];
    return value === undefined ? undefined : parseConnection(id, value);
  }

  async variable(key: string): Promise<string | undefined> {
    return this.env[`UPDRAFT_VAR_${secretEnvName(key)}`];
  }
}
