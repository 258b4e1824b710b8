/** The only source of time for use cases (core takes time as an argument). */
export interface Clock {
  /** Current instant as ISO UTC. */
  now(): string;
}
