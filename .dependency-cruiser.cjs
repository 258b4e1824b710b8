/**
 * Import boundaries from shared/design.md §3. `npm test` runs this; a violation fails the build.
 * Paths are matched from the repository root.
 */
const vendorTime = '(^|/)node_modules/(luxon|cron-parser)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'functions/core imports only itself (no I/O, no clock, no env, no vendor code).',
      severity: 'error',
      from: { path: '^functions/core/', pathNot: '^functions/core/timetables/' },
      to: { pathNot: '^functions/core/' },
    },
    {
      name: 'core-timetables-time-libs-only',
      comment: 'Only functions/core/timetables may use luxon and cron-parser.',
      severity: 'error',
      from: { path: '^functions/core/timetables/' },
      to: { pathNot: [`^functions/core/`, vendorTime] },
    },
    {
      name: 'sdk-builds-on-core-only',
      comment: 'functions/sdk (imported by DAG files) may import core, nothing with I/O.',
      severity: 'error',
      from: { path: '^functions/sdk/' },
      to: { pathNot: ['^functions/(sdk|core)/'] },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'functions/ports may import core types only.',
      severity: 'error',
      from: { path: '^functions/ports/' },
      to: { pathNot: ['^functions/(ports|core)/'] },
    },
    {
      name: 'app-uses-core-and-ports',
      comment: 'Use cases (functions/app) combine core and ports; adapters are injected.',
      severity: 'error',
      from: { path: '^functions/app/' },
      to: { pathNot: ['^functions/(app|core|ports)/'] },
    },
    {
      name: 'operators-use-core-and-ports',
      severity: 'error',
      comment: 'Operators may also use Node built-ins (child processes, streams).',
      from: { path: '^functions/operators/' },
      to: { pathNot: ['^functions/(operators|core|ports)/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'adapters-not-app',
      comment:
        'Adapters implement ports; they may use vendor SDKs but not use cases or other adapters kinds.',
      severity: 'error',
      from: { path: '^functions/adapters/([^/]+)/' },
      to: { path: ['^functions/(app|runtime|operators|sdk)/', '^functions/adapters/(?!$1/|shared/)[^/]+/'] },
    },
    {
      name: 'entries-are-thin',
      comment: 'Lambda entries (functions/*.ts) import runtime and app only.',
      severity: 'error',
      from: { path: '^functions/[^/]+\\.ts$' },
      to: { path: '^functions/', pathNot: ['^functions/(runtime|app)/'] },
    },
    {
      name: 'functions-never-import-infra-or-tools',
      comment: 'Nothing that runs in Lambda may import CDK code, CLI scripts or DAG files.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: ['^lib/', '^scripts/', '^bin/', '^dags/', '^test/'] },
    },
    {
      name: 'lib-is-infra-only',
      comment:
        'lib/ may import aws-cdk-lib, constructs and the env var names from functions/runtime/env-keys.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^functions/', pathNot: '^functions/runtime/env-keys\\.ts$' },
    },
    {
      name: 'dags-use-the-sdk',
      comment: 'DAG files import the authoring API (`updraft`), not engine internals.',
      severity: 'error',
      from: { path: '^dags/' },
      to: { path: '^functions/', pathNot: '^functions/sdk/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
