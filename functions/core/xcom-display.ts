import { MASK } from './masking';
import type { JsonValue } from './model';
import { fnv1a32 } from './rules/stable-hash';

/**
 * Prefix of the XCom keys holding masked display copies. An attempt that pushes a value
 * containing a secret also pushes `{ masked, of }` under `<prefix><key>`; the API shows that
 * copy, downstream tasks still pull the real value under `<key>`.
 */
export const DISPLAY_XCOM_PREFIX = '__updraft_display__:';

/** The key of the display copy of XCom `xcomKey`. */
export function displayXComKey(xcomKey: string): string {
  return `${DISPLAY_XCOM_PREFIX}${xcomKey}`;
}

/** True for the keys of display copies (the API hides them from listings). */
export function isDisplayXComKey(xcomKey: string): boolean {
  return xcomKey.startsWith(DISPLAY_XCOM_PREFIX);
}

/** The stored display copy: the masked value and a fingerprint of the real value it stands for. */
export function displayEntry(real: JsonValue, masked: JsonValue): JsonValue {
  return { masked, of: fingerprint(real) };
}

/**
 * What the API shows for `real`: the value itself when no display copy exists, the masked copy
 * when it was made for this very value, and `***` when it was not (a crash between the copy's and
 * the value's write): an unknown pairing fails closed rather than risk showing a secret.
 */
export function displayValue(real: JsonValue, entry: JsonValue | undefined): JsonValue {
  if (entry === undefined) return real;
  const fresh =
    entry !== null && typeof entry === 'object' && !Array.isArray(entry) && entry.of === fingerprint(real);
  return fresh && 'masked' in entry ? (entry.masked as JsonValue) : MASK;
}

function fingerprint(value: JsonValue): string {
  const text = JSON.stringify(value);
  return `${text.length}:${fnv1a32(text).toString(16)}`;
}
