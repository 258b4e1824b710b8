import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where the run-state table is. */
export interface DynamoTableOptions {
  /** A document client, or a plain client that gets wrapped in one. */
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** Name of the table created from `tableDefinition`. */
  tableName: string;
}

/** The document client and table name every adapter call needs. */
export interface TableContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** Wraps a plain client in a document client; a document client is used as given. */
export function tableContext(options: DynamoTableOptions): TableContext {
  const doc =
    options.client instanceof DynamoDBDocumentClient
      ? options.client
      : DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, tableName: options.tableName };
}
