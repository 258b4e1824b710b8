import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { API_TOKEN_ENV } from '../../local/api-token';
import { CliError, ExitCode } from '../errors';
import { type AwsIdentity, defaultAwsIdentity, regionOfApiUrl, stackApiUrl } from './aws';

/** Options every command that talks to a running Updraft accepts. */
export interface ApiOptions {
  apiUrl?: string;
  stack?: string;
  auth?: AuthMode;
}

/** How requests are authorized: the local bearer token, or AWS SigV4 (a stack's IAM authorizer). */
export type AuthMode = 'token' | 'sigv4';

/** The credentials requests carry. */
export type ApiAuth =
  | { kind: 'token'; token?: string }
  | { kind: 'sigv4'; region: string; identity: AwsIdentity };

/** Where requests go and how they are authorized. */
export interface ApiTarget {
  /** Base URL without `/api/v1` and without a trailing slash. */
  baseUrl: string;
  auth: ApiAuth;
}

/** The local server's URL: `UPDRAFT_PORT` (default 8080) on loopback, as `npm start` serves it. */
export function defaultApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.UPDRAFT_PORT ?? 8080}`;
}

/** `--api-url`: an http(s) URL, normalized to the server root (a trailing `/api/v1` is accepted). */
export function parseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL, like http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('expected an http(s) URL, like http://127.0.0.1:8080');
  return url.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/** Adds `--api-url`, `--stack` and `--auth` to a command. */
export function withApiOptions(command: Command): Command {
  return command
    .option(
      '--api-url <url>',
      'Updraft API to talk to (default: the local server, http://127.0.0.1:$UPDRAFT_PORT, port 8080)',
      parseApiUrl,
    )
    .option('--stack <name>', "a deployed Updraft stack: its API URL is read from the stack's outputs")
    .addOption(
      new Option(
        '--auth <mode>',
        'token: bearer token (UPDRAFT_API_TOKEN or .updraft/api-token); sigv4: AWS credentials (default: token on loopback, sigv4 otherwise)',
      ).choices(['token', 'sigv4']),
    );
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The API target of a command: `--stack`'s API URL, `--api-url`, or the local server. The local
 * server takes the bearer token (`UPDRAFT_API_TOKEN`, else `<UPDRAFT_HOME or .updraft>/api-token`;
 * never created here); any other host is signed with SigV4 unless `--auth token` (JWT stacks).
 */
export async function resolveTarget(
  options: ApiOptions,
  env: NodeJS.ProcessEnv = process.env,
  aws: () => AwsIdentity = defaultAwsIdentity,
): Promise<ApiTarget> {
  if (options.stack !== undefined && options.apiUrl !== undefined)
    throw new CliError(ExitCode.BadInput, ['error: use either --stack or --api-url, not both']);
  let identity: AwsIdentity | undefined;
  let baseUrl = options.apiUrl ?? defaultApiUrl(env);
  if (options.stack !== undefined) {
    identity = aws();
    const region = await identity.region();
    if (!region) throw noRegion(`--stack ${options.stack}`);
    baseUrl = parseApiUrl(await stackApiUrl(options.stack, identity, region));
  }
  const mode = options.auth ?? (LOOPBACK.has(new URL(baseUrl).hostname) ? 'token' : 'sigv4');
  if (mode === 'token') {
    const token = env[API_TOKEN_ENV]?.trim() || (await tokenFile(env));
    return { baseUrl, auth: { kind: 'token', ...(token && { token }) } };
  }
  identity ??= aws();
  const region = regionOfApiUrl(baseUrl) ?? (await identity.region());
  if (!region) throw noRegion(baseUrl);
  return { baseUrl, auth: { kind: 'sigv4', region, identity } };
}

function noRegion(what: string): CliError {
  return new CliError(ExitCode.BadInput, [
    `error: no AWS region for ${what}: set AWS_REGION (or a region in your AWS profile)`,
  ]);
}

async function tokenFile(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = path.join(env.UPDRAFT_HOME ?? '.updraft', 'api-token');
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(ExitCode.Failed, [`error: cannot read the API token in ${file}: ${String(error)}`], {
      cause: error,
    });
  }
}
