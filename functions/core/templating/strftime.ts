/**
 * Python's `strftime`/`strptime` for the directives templates use, on UTC instants (Airflow's
 * template dates are UTC). Unsupported directives are an error naming them, not silent output.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Day of the year, 1-based. */
function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

const FORMATTERS: Record<string, (d: Date) => string> = {
  Y: (d) => pad(d.getUTCFullYear(), 4),
  y: (d) => pad(d.getUTCFullYear() % 100),
  m: (d) => pad(d.getUTCMonth() + 1),
  d: (d) => pad(d.getUTCDate()),
  H: (d) => pad(d.getUTCHours()),
  I: (d) => pad(((d.getUTCHours() + 11) % 12) + 1),
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  f: (d) => pad(d.getUTCMilliseconds() * 1000, 6),
  j: (d) => pad(dayOfYear(d), 3),
  b: (d) => MONTHS[d.getUTCMonth()]!.slice(0, 3),
  B: (d) => MONTHS[d.getUTCMonth()]!,
  a: (d) => DAYS[d.getUTCDay()]!.slice(0, 3),
  A: (d) => DAYS[d.getUTCDay()]!,
  w: (d) => String(d.getUTCDay()),
  z: () => '+0000',
  Z: () => 'UTC',
  '%': () => '%',
};

/** Formats a UTC instant with Python `strftime` directives (`%Y-%m-%d`, `%Y%m%dT%H%M%S` …). */
export function strftime(date: Date, format: string): string {
  return format.replace(/%(.)/g, (_, directive: string) => {
    const formatter = FORMATTERS[directive];
    if (!formatter) throw new RangeError(`strftime: unsupported directive %${directive} in "${format}"`);
    return formatter(date);
  });
}

const PARSERS: Record<
  string,
  { pattern: string; field?: 'Y' | 'y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'b' | 'B' }
> = {
  Y: { pattern: '(\\d{4})', field: 'Y' },
  y: { pattern: '(\\d{2})', field: 'y' },
  m: { pattern: '(\\d{1,2})', field: 'm' },
  d: { pattern: '(\\d{1,2})', field: 'd' },
  H: { pattern: '(\\d{1,2})', field: 'H' },
  M: { pattern: '(\\d{1,2})', field: 'M' },
  S: { pattern: '(\\d{1,2})', field: 'S' },
  b: { pattern: '([A-Za-z]{3})', field: 'b' },
  B: { pattern: '([A-Za-z]+)', field: 'B' },
  '%': { pattern: '%' },
};

/** Parses `text` with Python `strptime` directives into a UTC instant; throws naming the mismatch. */
export function strptime(text: string, format: string): Date {
  const fields: string[] = [];
  let pattern = '';
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      pattern += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const directive = format[++i] ?? '';
    const parser = PARSERS[directive];
    if (!parser) throw new RangeError(`strptime: unsupported directive %${directive} in "${format}"`);
    pattern += parser.pattern;
    if (parser.field) fields.push(parser.field);
  }
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match) throw new RangeError(`time data "${text}" does not match format "${format}"`);
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  fields.forEach((field, index) => {
    const raw = match[index + 1]!;
    if (field === 'b' || field === 'B') {
      const month = MONTHS.findIndex((name) => name.toLowerCase().startsWith(raw.toLowerCase()));
      if (month < 0) throw new RangeError(`time data "${text}": unknown month "${raw}"`);
      parts.m = month + 1;
    } else if (field === 'y') parts.Y = 2000 + Number(raw) - (Number(raw) >= 69 ? 100 : 0);
    else parts[field] = Number(raw);
  });
  const date = new Date(Date.UTC(parts.Y!, parts.m! - 1, parts.d!, parts.H!, parts.M!, parts.S!));
  if (date.getUTCMonth() !== parts.m! - 1 || date.getUTCDate() !== parts.d!)
    throw new RangeError(`time data "${text}" is not a valid date for format "${format}"`);
  return date;
}
