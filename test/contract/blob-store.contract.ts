import { describe, expect, it } from 'vitest';
import type { BlobStore } from '../../functions/ports/blob-store';

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

/** The BlobStore port contract: what every adapter must do. */
export function blobStoreContract(name: string, setup: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${name}`, () => {
    it('returns what was put, as bytes, for strings and binary bodies', async () => {
      const store = await setup();
      await store.put('xcom/etl/run/a.json', '{"rows":[1,2,3],"name":"naïve ✓"}', 'application/json');
      const binary = Uint8Array.from([0, 1, 2, 253, 254, 255]);
      await store.put('xcom/etl/run/b.bin', binary, 'application/octet-stream');
      expect(text(await store.get('xcom/etl/run/a.json'))).toBe('{"rows":[1,2,3],"name":"naïve ✓"}');
      expect(await store.get('xcom/etl/run/b.bin')).toEqual(binary);
    });

    it('reads a missing key as undefined', async () => {
      const store = await setup();
      expect(await store.get('never/written')).toBeUndefined();
    });

    it('overwrites a key and keeps keys apart', async () => {
      const store = await setup();
      await store.put('k', 'one', 'text/plain');
      await store.put('k', 'two', 'text/plain');
      await store.put('k2', 'other', 'text/plain');
      expect(text(await store.get('k'))).toBe('two');
      expect(text(await store.get('k2'))).toBe('other');
    });

    it('stores empty bodies and keys with Airflow run ids in them', async () => {
      const store = await setup();
      const key = 'dag_id=etl/run_id=manual__2024-05-01T00:00:00+00:00/task_id=a b/x.json';
      await store.put(key, '', 'application/json');
      expect(await store.get(key)).toEqual(new Uint8Array());
    });
  });
}
