import type { Connection } from './connection';
import type { JsonValue } from './model';

/** What a masked secret is replaced by (Airflow's `***`). */
export const MASK = '***';

/**
 * Secrets shorter than this are not masked (Airflow's `[logging] min_length_masked_secret`,
 * default 5): masking every `1234` or `dev` would mangle logs without hiding anything guessable.
 */
export const MIN_SECRET_LENGTH = 5;

/** Airflow's DEFAULT_SENSITIVE_FIELDS: a variable or extra field whose name contains one is secret. */
export const SENSITIVE_FIELDS = [
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'passphrase',
  'passwd',
  'password',
  'private_key',
  'secret',
  'token',
  'keyfile_dict',
  'service_account',
] as const;

/** True when a variable key or field name looks sensitive (case-insensitive substring, as Airflow). */
export function isSensitiveName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return SENSITIVE_FIELDS.some((field) => lower.includes(field));
}

/**
 * Airflow's secrets masker, one per task attempt: registered secrets are replaced by `***` in
 * every form they commonly take in text (raw, URL-encoded, JSON-escaped, line by line).
 */
export class SecretMasker {
  private readonly forms = new Set<string>();

  /** Registers a secret (Airflow's `mask_secret`); values under MIN_SECRET_LENGTH are ignored. */
  add(secret: string): void {
    const lines = secret.split(/\r\n|\r|\n/);
    for (const part of lines.length > 1 ? [secret, ...lines] : [secret]) {
      if (part.trim().length < MIN_SECRET_LENGTH) continue;
      for (const form of encodings(part)) if (form.length >= MIN_SECRET_LENGTH) this.forms.add(form);
    }
  }

  /**
   * Registers a value found under `name`: every string in it when the name is sensitive,
   * else the strings under sensitive names inside it (Airflow's `mask_secret(value, name)`).
   */
  addNamed(value: unknown, name?: string): void {
    if (name !== undefined && isSensitiveName(name)) {
      for (const leaf of leaves(value)) this.add(leaf);
    } else if (Array.isArray(value)) {
      for (const item of value) this.addNamed(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) this.addNamed(item, key);
    }
  }

  /** Registers a connection's password and its extra fields with sensitive names. */
  addConnection(connection: Connection): void {
    if (connection.password) this.add(connection.password);
    this.addNamed(connection.extra);
  }

  /** Registers a variable when its key looks sensitive, and sensitive fields of a JSON value. */
  addVariable(key: string, value: string): void {
    if (isSensitiveName(key)) this.add(value);
    const json = tryParse(value);
    if (json !== null && typeof json === 'object') this.addNamed(json);
  }

  /** `text` with every occurrence of a registered secret replaced; overlapping ones merge into one mask. */
  mask(text: string): string {
    if (this.forms.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const spans = this.spans(text);
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const [start, end] of spans) {
      out += text.slice(at, start) + MASK;
      at = end;
    }
    return out + text.slice(at);
  }

  /** A copy of a JSON value with secrets masked in strings, keys and numbers, and values under sensitive keys hidden. */
  maskJson(value: JsonValue, name?: string): JsonValue {
    if (name !== undefined && isSensitiveName(name)) return hideAll(value);
    if (typeof value === 'string') return this.mask(value);
    if (typeof value === 'number') return this.mask(String(value)) === String(value) ? value : MASK;
    if (Array.isArray(value)) return value.map((item) => this.maskJson(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [this.mask(key), this.maskJson(item, key)]),
      );
    }
    return value;
  }

  /** Merged `[start, end)` ranges of all occurrences of all forms, so a secret inside another masks whole. */
  private spans(text: string): [number, number][] {
    const found: [number, number][] = [];
    for (const form of this.forms) {
      for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) {
        found.push([i, i + form.length]);
      }
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: [number, number][] = [];
    for (const [start, end] of found) {
      const last = merged[merged.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    return merged;
  }
}

/** The spellings a secret takes when it is put into a URL, a form body or a JSON string. */
function encodings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    encodeURIComponent(secret),
    // application/x-www-form-urlencoded: spaces as `+`, and `!'()~` escaped too.
    new URLSearchParams({ s: secret }).toString().slice(2),
    userinfo(secret),
    json,
    // a `\u` escape (four hex digits) for every non-ASCII character, as Python's json.dumps writes it.
    json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    // JSON text inside a JSON string (a JSON body logged as a field).
    JSON.stringify(json).slice(1, -1),
  ];
}

/** The password as WHATWG URL serializes it in `scheme://user:<password>@host`. */
function userinfo(secret: string): string {
  const url = new URL('http://host');
  url.password = secret;
  return url.password;
}

function* leaves(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (typeof value === 'number' || typeof value === 'boolean') yield String(value);
  else if (Array.isArray(value)) for (const item of value) yield* leaves(item);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) yield* leaves(item);
}

/** Every string replaced (Airflow's `_redact_all`: numbers, booleans and null are kept). */
function hideAll(value: JsonValue): JsonValue {
  if (typeof value === 'string') return MASK;
  if (Array.isArray(value)) return value.map(hideAll);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, hideAll(item)]));
  return value;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
