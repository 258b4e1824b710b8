/** Opaque objects by key (S3 in AWS): large XCom values, log files. */
export interface BlobStore {
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
}
