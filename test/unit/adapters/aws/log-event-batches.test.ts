import { describe, expect, it } from 'vitest';
import {
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  toLogEventBatches,
} from '../../../../functions/adapters/aws/logs/log-event-batches';

const events = (count: number, message = 'x', step = 1) =>
  Array.from({ length: count }, (_, i) => ({ timestamp: i * step, message }));

describe('toLogEventBatches', () => {
  it.each([
    ['no events', events(0), []],
    ['a few events', events(3), [3]],
    ['exactly 10,000', events(10_000), [10_000]],
    ['over the count limit', events(25_000), [10_000, 10_000, 5_000]],
    ['over the byte limit', events(5, 'y'.repeat(250_000)), [4, 1]],
    ['over the 24-hour span', events(3, 'z', 13 * 3600 * 1000), [2, 1]],
  ])('splits %s', (_name, input, sizes) => {
    const batches = toLogEventBatches(input);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    for (const batch of batches) {
      const bytes = batch.reduce(
        (sum, e) => sum + Buffer.byteLength(e.message ?? '') + EVENT_OVERHEAD_BYTES,
        0,
      );
      expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
  });

  it('cuts a line too large for one event, on a character boundary, with a note', () => {
    const event = toLogEventBatches([{ timestamp: 1, message: '✓'.repeat(100_000) }])[0]![0]!;
    expect(Buffer.byteLength(event.message!)).toBeLessThanOrEqual(MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES);
    expect(event.message).toMatch(/^✓+ … \[truncated: the line exceeded the CloudWatch event size\]$/);
  });
});
