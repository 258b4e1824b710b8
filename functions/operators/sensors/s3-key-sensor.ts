import type { OperatorSpec } from '../../core/model';
import type { ObjectStorage } from '../../ports/object-storage';
import type { OperatorInvocation, OperatorResult } from '../../ports/task-runner';
import { type PokeOutcome, runPokes } from '../sensor-operator';

type S3KeySpec = Extract<OperatorSpec, { kind: 's3_key_sensor' }>;

/**
 * Python's `fnmatch` as a RegExp (what Airflow's `wildcard_match` uses): `*` is any run of
 * characters, "/" included, `?` one character, `[seq]`/`[!seq]` a character class.
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        out += `[${body}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

/** The literal part of a pattern before its first wildcard: the prefix to list. */
export function listingPrefix(pattern: string): string {
  const at = pattern.search(/[*?[]/);
  return at < 0 ? pattern : pattern.slice(0, at);
}

/** Which patterns or prefixes `keys` satisfy: met when every entry matched at least one key. */
export function matchListed(
  match: 'wildcard' | 'prefix',
  entries: readonly string[],
  keys: readonly string[],
): { met: boolean; matched: string[]; missing: string[] } {
  const matched = new Set<string>();
  const missing: string[] = [];
  for (const entry of entries) {
    const test =
      match === 'prefix'
        ? (key: string) => key.startsWith(entry)
        : (key: string) => fnmatchToRegExp(entry).test(key);
    const hits = keys.filter(test);
    if (hits.length === 0) missing.push(entry);
    for (const hit of hits) matched.add(hit);
  }
  return { met: missing.length === 0, matched: [...matched].sort(), missing };
}

/**
 * Airflow's S3KeySensor: met once every key exists (HeadObject), or with `wildcard`/`prefix`
 * once every pattern matches a listed key. The XCom is the sorted list of matching keys.
 */
export function runS3KeySensor(inv: OperatorInvocation, storage: ObjectStorage): Promise<OperatorResult> {
  const spec = inv.task.operator;
  if (spec.kind !== 's3_key_sensor') throw new Error('runS3KeySensor called for another operator');
  return runPokes(inv, spec.sensor, () => pokeS3(spec, storage));
}

async function pokeS3(spec: S3KeySpec, storage: ObjectStorage): Promise<PokeOutcome> {
  const where = (key: string) => `s3://${spec.bucket}/${key}`;
  if (spec.match === 'exact') {
    const missing: string[] = [];
    for (const key of spec.keys) if (!(await storage.exists({ bucket: spec.bucket, key }))) missing.push(key);
    if (missing.length > 0) return { met: false, why: `waiting for ${missing.map(where).join(', ')}` };
    return { met: true, value: [...spec.keys].sort() };
  }
  const prefixes = new Set(
    spec.keys.map((entry) => (spec.match === 'prefix' ? entry : listingPrefix(entry))),
  );
  const keys = (await Promise.all([...prefixes].map((prefix) => storage.list(spec.bucket, prefix)))).flat();
  const result = matchListed(spec.match, spec.keys, keys);
  if (!result.met) return { met: false, why: `nothing matches ${result.missing.map(where).join(', ')} yet` };
  return { met: true, value: result.matched };
}
