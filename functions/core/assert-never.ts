/** Exhaustiveness guard for switches over Airflow vocabularies: a new member fails type-checking. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
