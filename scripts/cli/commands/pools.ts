import { type Command, InvalidArgumentError } from 'commander';
import { connect } from '../api-client';
import { deletePool, listPools, type PoolJson, setPool } from '../client/pools';
import { type ApiOptions, withApiOptions } from '../client/target';
import { formatTable, type Io, printJson } from '../io';

type JsonOption = ApiOptions & { json: boolean };

/** A pool size: a whole number ≥ 0 (0 holds every task of the pool back). */
function parseSlots(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError('expected a whole number of slots ≥ 0');
  return Number(value);
}

/** `updraft pools list|set|delete`: Airflow pools (slot counts shared across DAGs) on a running Updraft. */
export function registerPools(program: Command, io: Io): void {
  const pools = program
    .command('pools')
    .description('list, create, resize and delete pools on a running Updraft');

  withApiOptions(pools.command('list').description('list pools with their occupied and open slots'))
    .option('--json', 'print the pools as JSON (Airflow PoolCollection)', false)
    .action(async (options: JsonOption) => {
      const { pools: found, total } = await listPools(await connect(options));
      if (options.json) printJson(io, { pools: found, total_entries: total });
      else io.out(poolTable(found));
    });

  withApiOptions(pools.command('set').description('create a pool, or resize it (and change its description)'))
    .argument('<name>', 'the pool')
    .argument('<slots>', 'how many slots it has', parseSlots)
    .option('--description <text>', 'what the pool guards (kept when left out)')
    .option('--json', 'print the pool as JSON (Airflow Pool)', false)
    .action(async (name: string, slots: number, options: JsonOption & { description?: string }) => {
      const body = {
        name,
        slots,
        ...(options.description !== undefined && { description: options.description }),
      };
      const { pool, created } = await setPool(await connect(options), body);
      if (options.json) printJson(io, pool);
      else
        io.out(
          `pool ${pool.name} ${created ? 'created' : 'updated'}: ${pool.slots} slots, ${pool.open_slots} open`,
        );
    });

  withApiOptions(pools.command('delete').description('delete a pool (default_pool cannot be deleted)'))
    .argument('<name>', 'the pool')
    .option('--json', 'print {"name", "deleted": true} as JSON', false)
    .action(async (name: string, options: JsonOption) => {
      await deletePool(await connect(options), name);
      if (options.json) printJson(io, { name, deleted: true });
      else io.out(`pool ${name} deleted`);
    });
}

function poolTable(pools: readonly PoolJson[]): string {
  const rows = pools.map((p) => [
    p.name,
    String(p.slots),
    String(p.occupied_slots),
    String(p.running_slots),
    String(p.queued_slots),
    String(p.open_slots),
    p.description ?? '',
  ]);
  return formatTable(['pool', 'slots', 'occupied', 'running', 'queued', 'open', 'description'], rows);
}
