/**
 * What the chapter 6 examples share: where a supermarket's files of a day live, the stand-in for
 * the sales a supermarket uploads, and the processed summary `create_metrics` reads.
 */
import path from 'node:path';
import { examplesRoot, random } from './example-io';

/** Promotions a sale may have been made under; `none` is the baseline. */
export const PROMOTIONS = ['none', 'two_for_one', 'ten_percent_off', 'loyalty_bonus'] as const;
const PRODUCTS = ['apples', 'bread', 'cheese', 'coffee', 'eggs', 'milk', 'pasta', 'rice'];
/** Files a supermarket uploads per day, before its `_SUCCESS` marker. */
export const UPLOAD_PARTS = 3;

/** The folders of one supermarket's day: landing (the upload), raw (our copy) and processed. */
export function supermarketPaths(supermarket: string, ds: string) {
  const root = path.join(examplesRoot(), 'supermarket_promotions');
  return {
    landing: path.join(root, 'landing', supermarket, ds),
    raw: path.join(root, 'raw', supermarket, ds),
    processed: path.join(root, 'processed', supermarket, `${ds}.json`),
  };
}

/** Where `create_metrics` writes the metrics of one supermarket's day. */
export function metricsPath(supermarket: string, ds: string): string {
  return path.join(examplesRoot(), 'create_metrics', supermarket, `${ds}.json`);
}

/** Part `part` (1-based) of the CSV a supermarket uploads for `ds`: the same on every call. */
export function salesCsv(supermarket: string, ds: string, part: number): string {
  const seed = [...`${supermarket}/${ds}/${part}`].reduce(
    (h, c) => Math.imul(h ^ c.charCodeAt(0), 16_777_619),
    2_166_136_261,
  );
  const next = random(seed);
  const rows = Array.from({ length: 12 + Math.floor(next() * 8) }, (_, i) => {
    const promotion = PROMOTIONS[Math.floor(next() * PROMOTIONS.length)]!;
    // Promotions sell more per transaction, which is what create_metrics measures.
    const units = 1 + Math.floor(next() * (promotion === 'none' ? 3 : 5));
    const price = (1 + Math.floor(next() * 900) / 100).toFixed(2);
    return `${part}-${i + 1},${PRODUCTS[Math.floor(next() * PRODUCTS.length)]},${promotion},${units},${price}`;
  });
  return `transaction_id,product,promotion,units,unit_price\n${rows.join('\n')}\n`;
}

/** Sales of one promotion in a day. */
export interface PromotionSales {
  promotion: string;
  transactions: number;
  units: number;
  revenue: number;
}

/** The processed file of one supermarket's day. */
export interface ProcessedDay {
  supermarket: string;
  ds: string;
  transactions: number;
  promotions: PromotionSales[];
}
