import { DagDefinitionError } from '../core/dag-definition';
import type { EnvironmentSpec } from '../core/model';

/** An environment as declared in DAG code; `updraft dags build` adds its content hash. */
export type EnvironmentDeclaration = DistributiveOmit<EnvironmentSpec, 'hash'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A Python environment: an interpreter version and a requirements file of pinned packages. */
export type PythonEnvironment = Extract<EnvironmentDeclaration, { kind: 'python' }>;

/** A container image: a Dockerfile folder built at deploy time, or a registry URI. */
export type ImageEnvironment = Extract<EnvironmentDeclaration, { kind: 'image' }>;

const NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;
const PYTHON = /^3\.\d{1,2}$/;

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw new DagDefinitionError(
      `${what} name must be 1-63 letters, digits, ".", "_" or "-"; got ${JSON.stringify(name)}`,
      {
        field: 'environment',
        fix: `${what}('pandas-2', …)`,
      },
    );
  return name;
}

function checkRelative(value: unknown, field: string, name: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.startsWith('/') ||
    value.split(/[\\/]/).includes('..')
  )
    throw new DagDefinitionError(
      `environment "${name}": ${field} must be a path inside the DAGs folder, got ${JSON.stringify(value)}`,
      { field, fix: `give ${field} relative to the DAGs folder, e.g. "envs/${name}/requirements.txt"` },
    );
  return value.replaceAll('\\', '/');
}

/**
 * Declares a Python environment: `pythonEnv('pandas-2', { python: '3.12', requirements:
 * 'envs/pandas2/requirements.txt' })` (path relative to the DAGs folder). Tasks using it run with
 * exactly these packages: an image on ECS Fargate, a venv under `.updraft/envs/<hash>/` locally.
 */
export function pythonEnv(
  name: string,
  options: { python: string; requirements: string },
): PythonEnvironment {
  checkName(name, 'pythonEnv');
  if (typeof options?.python !== 'string' || !PYTHON.test(options.python))
    throw new DagDefinitionError(
      `environment "${name}": python must be a version like "3.12", got ${JSON.stringify(options?.python)}`,
      {
        field: 'python',
      },
    );
  return {
    kind: 'python',
    name,
    python: options.python,
    requirements: checkRelative(options.requirements, 'requirements', name),
  };
}

/**
 * Declares a container image: `image('my-tool', { directory: 'images/my-tool' })` (a folder with a
 * Dockerfile, relative to the DAGs folder, built by `cdk deploy`) or `image('alpine', { uri:
 * 'public.ecr.aws/docker/library/alpine:3.20' })`.
 */
export function image(name: string, options: { directory: string } | { uri: string }): ImageEnvironment {
  checkName(name, 'image');
  if (options && 'uri' in options) {
    if (
      typeof options.uri !== 'string' ||
      !/^[\w.-]+(:\d+)?\/?[\w./-]*(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(options.uri)
    )
      throw new DagDefinitionError(
        `image "${name}": uri must be an image reference, got ${JSON.stringify(options.uri)}`,
        {
          field: 'uri',
          fix: 'e.g. "public.ecr.aws/docker/library/python:3.12-slim" or "<account>.dkr.ecr.<region>.amazonaws.com/repo:tag"',
        },
      );
    return { kind: 'image', name, uri: options.uri };
  }
  return { kind: 'image', name, directory: checkRelative(options?.directory, 'directory', name) };
}
