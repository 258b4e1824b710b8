/** Airflow's eleven trigger rules: when a task may run given its direct upstreams' states. */
export const TriggerRule = {
  AllSuccess: 'all_success',
  AllFailed: 'all_failed',
  AllDone: 'all_done',
  AllSkipped: 'all_skipped',
  OneSuccess: 'one_success',
  OneFailed: 'one_failed',
  OneDone: 'one_done',
  NoneFailed: 'none_failed',
  NoneFailedMinOneSuccess: 'none_failed_min_one_success',
  NoneSkipped: 'none_skipped',
  Always: 'always',
} as const;
/** One of Airflow's trigger rules. */
export type TriggerRule = (typeof TriggerRule)[keyof typeof TriggerRule];

/** Every trigger rule, for validation and tables. */
export const TRIGGER_RULES: readonly TriggerRule[] = Object.values(TriggerRule);
