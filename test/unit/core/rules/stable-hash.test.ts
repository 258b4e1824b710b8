import { describe, expect, it } from 'vitest';
import { fnv1a32 } from '../../../../functions/core/rules/stable-hash';

describe('fnv1a32', () => {
  // Published FNV-1a 32-bit test vectors (Fowler/Noll/Vo reference).
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to the reference value', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  // Multi-byte characters must hash as their UTF-8 bytes (2, 3 and 4 bytes), not UTF-16 code units.
  it.each([
    ['é', [0xc3, 0xa9]],
    ['€', [0xe2, 0x82, 0xac]],
    ['😀', [0xf0, 0x9f, 0x98, 0x80]],
  ])('hashes %j as its UTF-8 bytes', (text, bytes) => {
    let hash = 0x811c9dc5;
    for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
    expect(fnv1a32(text)).toBe(hash);
  });

  it('returns an unsigned 32-bit integer', () => {
    for (const text of ['x', 'dag#task#2024-01-01T00:00:00Z#1', 'ünïcødé']) {
      const h = fnv1a32(text);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});
