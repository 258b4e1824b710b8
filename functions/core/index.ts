/** The pure domain core: DAG model, validation, timetables, rules and the planner. */
export * from './graph';
export * from './model';
export * from './planner/allocate';
export * from './planner/commands';
export * from './planner/plan-run';
export * from './planner/plan-tick';
export * from './planner/ready';
export * from './records';
export * from './run-id';
export * from './states';
export * from './trigger-rule';
