/**
 * Dynamic task mapping: `list_files` returns a list, `count_lines` runs once per file (one task
 * instance per element, `map_index` 0..n-1), and `summarize` receives all results in order.
 */
import { dag, param, task } from 'updraft';

const listFiles = task({ taskId: 'list_files' }, (ctx): string[] => {
  const files = ['orders.csv', 'customers.csv', 'returns.csv', 'stores.csv'].slice(
    0,
    Number(ctx.params.files),
  );
  ctx.log.info(`found ${files.length} files`);
  return files;
});

const countLines = task(
  { taskId: 'count_lines', retries: 1 },
  (ctx, file: string): { file: string; lines: number } => {
    ctx.log.info(`counting ${file} (map index ${ctx.mapIndex})`);
    return { file, lines: file.length * 100 };
  },
);

const summarize = task({ taskId: 'summarize' }, (ctx, counts: { file: string; lines: number }[]) => {
  const total = counts.reduce((sum, c) => sum + c.lines, 0);
  ctx.log.info(`${counts.length} files, ${total} lines`);
  return total;
});

export default dag(
  {
    dagId: 'mapped_files',
    description: 'One task instance per file, fanned in by summarize',
    tags: ['example', 'mapping'],
    schedule: null,
    params: {
      files: param(4, { type: 'integer', minimum: 0, maximum: 4, description: 'how many files to list' }),
    },
  },
  () => {
    summarize(countLines.expand(listFiles()));
  },
);
