/** A conditional write lost: the item is no longer in the state the writer expected. */
export class StaleTransitionError extends Error {
  override readonly name = 'StaleTransitionError';
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A run with this id (or logical date) exists already (Airflow's 409). */
export class RunAlreadyExistsError extends Error {
  override readonly name = 'RunAlreadyExistsError';
  constructor(
    readonly dagId: string,
    readonly runId: string,
    options?: ErrorOptions,
  ) {
    super(`DAG "${dagId}" already has a run "${runId}"`, options);
  }
}
