/**
 * A stand-in for one hour of Wikimedia's pageviews dumps (`dumps.wikimedia.org/other/pageviews`):
 * lines `domain_code page_title count_views total_response_size`, sorted like the real files,
 * gzipped. The counts come from a seed derived from the hour, so an hour's dump is always the same.
 */
import { gzipSync } from 'node:zlib';
import { random } from './example-io';

const HOUR_MS = 3_600_000;
const DOMAINS = ['de', 'en', 'en.m', 'fr', 'nl'];
/** Titles every domain may have; the book's five companies are among them. */
const TITLES = [
  'Amazon',
  'Amazon_(company)',
  'Apache_Airflow',
  'Apple',
  'Apple_Inc.',
  'Facebook',
  'Google',
  'Main_Page',
  'Meta_Platforms',
  'Microsoft',
  'Netflix',
  'Special:Search',
];
/** Long-tail pages, so the watched ones are a few lines among many, as in the real dumps. */
const FILLER = 200;

/** The file name Wikimedia gives the dump of the hour starting at `hourIso` (`pageviews-20240101-100000`). */
export function dumpName(hourIso: string): string {
  const digits = new Date(hourIso).toISOString().replace(/\D/g, '');
  return `pageviews-${digits.slice(0, 8)}-${digits.slice(8, 10)}0000`;
}

/** The uncompressed dump of the hour containing `hourIso`. */
export function pageviewsText(hourIso: string): string {
  const hour = Math.floor(Date.parse(hourIso) / HOUR_MS);
  const next = random(hour);
  const lines: string[] = [];
  const titles = [...TITLES, ...Array.from({ length: FILLER }, (_, i) => `Article_${i + 1}`)].sort();
  for (const domain of DOMAINS) {
    for (const title of titles) {
      // About one page in five has no views this hour on a domain: the line is missing, as in the dumps.
      if (next() < 0.2) continue;
      const scale = title === 'Main_Page' ? 50_000 : domain.startsWith('en') ? 2_000 : 300;
      lines.push(`${domain} ${title} ${1 + Math.floor(next() * scale)} 0`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The gzipped dump (Node's gzip header has no timestamp, so the bytes are the same on every call). */
export function pageviewsGz(hourIso: string): Buffer {
  return gzipSync(pageviewsText(hourIso));
}
