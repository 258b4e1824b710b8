/** The bundle builder's public surface, for the CLI and dev tooling. */
export { type BuildOptions, type BuildResult, buildBundle } from './build';
export { discoverDagFiles } from './discover';
export { type LoadedDag, loadBundleDags, readBundleManifest } from './load';
export { bundleVersion } from './version';
export { bundleFiles, MANIFEST_FILE, writeBundle } from './write';
