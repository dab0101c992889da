/** Types for the parts of s3rver (an in-process fake S3, test-only) that batchmode's tests use. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    /** 0 picks a free port. */
    port?: number;
    silent?: boolean;
    /** Where objects are kept on disk. */
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    /** Creates the configured buckets and listens; resolves the bound address. */
    run(): Promise<AddressInfo>;
    /** Stops listening; resolves once every open connection has ended. */
    close(): Promise<void>;
    /** The listening server, once `run` resolved. */
    httpServer?: Server;
  }

  export = S3rver;
}
