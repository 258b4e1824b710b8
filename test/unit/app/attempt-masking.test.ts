import { describe, expect, it } from 'vitest';
import { MemoryXComStore } from '../../../functions/adapters/memory/xcom-store';
import { maskedLog, maskingXComStore, startMasking } from '../../../functions/app/attempt-masking';
import { SecretMasker } from '../../../functions/core/masking';
import { displayValue, displayXComKey } from '../../../functions/core/xcom-display';

const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };

/** What the API shows for XCom `rv` of `key`. */
async function shown(xcom: MemoryXComStore) {
  const [value, entry] = await Promise.all([xcom.pull(key, 'rv'), xcom.pull(key, displayXComKey('rv'))]);
  return displayValue(value!, entry);
}

describe('maskingXComStore', () => {
  it('keeps the real value and stores a masked display copy only when the value holds a secret', async () => {
    const xcom = new MemoryXComStore();
    const masker = new SecretMasker();
    masker.add('hunter22');
    await maskingXComStore(xcom, masker).push(key, 'plain', { rows: 3 });
    await maskingXComStore(xcom, masker).push(key, 'rv', { dsn: 'u:hunter22@h' });
    expect(await xcom.pull(key, 'rv')).toEqual({ dsn: 'u:hunter22@h' });
    expect(await shown(xcom)).toEqual({ dsn: 'u:***@h' });
    expect((await xcom.list('d', 'r')).map((x) => x.xcomKey)).toEqual([
      '__updraft_display__:rv',
      'plain',
      'rv',
    ]);
  });

  it("replaces an earlier try's copy when a later try pushes a value without secrets", async () => {
    const xcom = new MemoryXComStore();
    const first = new SecretMasker();
    first.add('hunter22');
    await maskingXComStore(xcom, first).push(key, 'rv', 'hunter22');
    await maskingXComStore(xcom, new SecretMasker()).push(key, 'rv', 'no secret now');
    expect(await shown(xcom)).toBe('no secret now');
  });

  it('reads no earlier copy on a first try (the per-task path stays one write)', async () => {
    const xcom = new MemoryXComStore();
    const pulls: string[] = [];
    const counted = {
      ...xcom,
      push: xcom.push.bind(xcom),
      list: xcom.list.bind(xcom),
      pull: async (k: typeof key, x: string) => {
        pulls.push(x);
        return xcom.pull(k, x);
      },
    };
    await maskingXComStore(counted, new SecretMasker(), { firstTry: true }).push(key, 'rv', { rows: 3 });
    expect(pulls).toEqual([]);
    await maskingXComStore(counted, new SecretMasker()).push(key, 'rv', { rows: 4 });
    expect(pulls).toEqual(['__updraft_display__:rv']);
    expect(await xcom.pull(key, 'rv')).toEqual({ rows: 4 });
  });

  it('fails closed when the value and its copy disagree (a crash between the writes)', async () => {
    const xcom = new MemoryXComStore();
    const masker = new SecretMasker();
    masker.add('hunter22');
    await maskingXComStore(xcom, masker).push(key, 'rv', 'hunter22');
    await xcom.push(key, 'rv', 'hunter22 again');
    expect(await shown(xcom)).toBe('***');
  });
});

describe('startMasking', () => {
  it('masks log lines and result reasons, leaving success results alone', () => {
    const lines: string[] = [];
    const log = { write: (_l: string, m: string) => lines.push(m), close: async () => {} };
    const masking = startMasking({ xcom: new MemoryXComStore() }, log);
    masking.masker.add('hunter22');
    masking.log.write('info', 'pw hunter22');
    maskedLog(log, masking.masker).write('warn', 'again hunter22');
    expect(lines).toEqual(['pw ***', 'again ***']);
    expect(masking.result({ kind: 'failed', reason: 'bad hunter22', retryable: true })).toEqual({
      kind: 'failed',
      reason: 'bad ***',
      retryable: true,
    });
    const success = { kind: 'success' as const, xcomLength: null };
    expect(masking.result(success)).toBe(success);
    expect(masking.deps.masker).toBe(masking.masker);
  });
});
