/** `s3://bucket/prefix` blob URLs. */

/** Where an S3 blob store keeps its objects. */
export interface BlobUrl {
  bucket: string;
  /** Key prefix without leading or trailing `/`; empty for the bucket's root. */
  prefix: string;
}

// S3's bucket rules, plus the upper case and underscores that old us-east-1 buckets may have.
const BUCKET = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/;

/** Parses `s3://bucket[/prefix]`; throws an Error that quotes the URL and says what is wrong. */
export function parseBlobUrl(url: string): BlobUrl {
  const fail = (problem: string): never => {
    throw new Error(`Invalid blob URL "${url}": ${problem} (expected s3://bucket/prefix)`);
  };
  if (!url.startsWith('s3://')) fail('it must start with s3://');
  if (/[?#\s]/.test(url)) fail('it must not contain "?", "#" or spaces');
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (bucket === '') fail('the bucket name is missing');
  if (!BUCKET.test(bucket)) fail(`"${bucket}" is not a valid bucket name (3-63 letters, digits, ".", "-" or "_")`);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    fail('the prefix must not contain empty, "." or ".." path segments');
  }
  return { bucket, prefix };
}
