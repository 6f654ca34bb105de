/**
 * `--dest` parsing: gs://bucket[/prefix], s3://bucket[/prefix], az://container[/prefix] (or
 * https://<account>.blob.core.windows.net/container[/prefix]), file:///absolute/path, or a plain path.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DestinationSpec } from './destination';
import { InvalidDestinationError } from './errors';

const ACCEPTED =
  'accepted forms: gs://bucket[/prefix], s3://bucket[/prefix], az://container[/prefix], https://<account>.blob.core.windows.net/container[/prefix], ' +
  'file:///absolute/path, or a plain (relative or absolute) path';

function invalid(input: string, problem: string): InvalidDestinationError {
  return new InvalidDestinationError(`invalid destination ${JSON.stringify(input)}: ${problem}; ${ACCEPTED}`, input);
}

/**
 * Why `name` is not a valid GCS bucket name, or undefined when it is.
 * Rules: https://cloud.google.com/storage/docs/buckets#naming
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the bucket name is missing';
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) {
    return `bucket name ${JSON.stringify(name)} must use only lowercase letters, digits, '-', '_' and '.', and start and end with a letter or digit`;
  }
  const components = name.split('.');
  if (components.length === 1 && (name.length < 3 || name.length > 63)) {
    return `bucket name ${JSON.stringify(name)} must be 3 to 63 characters long`;
  }
  if (name.length < 3 || name.length > 222) return `bucket name ${JSON.stringify(name)} must be 3 to 222 characters long`;
  if (components.some((c) => c.length === 0 || c.length > 63)) {
    return `bucket name ${JSON.stringify(name)}: each dot-separated part must be 1 to 63 characters long`;
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `bucket name ${JSON.stringify(name)} must not be an IP address`;
  if (name.startsWith('goog')) return `bucket name ${JSON.stringify(name)} must not start with "goog"`;
  if (/g[o0][o0]g[l1]e/.test(name)) return `bucket name ${JSON.stringify(name)} must not contain "google" or a close misspelling`;
  return undefined;
}

/**
 * Why `name` is not a valid S3 (general purpose) bucket name, or undefined when it is.
 * Rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the bucket name is missing';
  if (name.length < 3 || name.length > 63) return `bucket name ${JSON.stringify(name)} must be 3 to 63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return `bucket name ${JSON.stringify(name)} must use only lowercase letters, digits, '-' and '.', and start and end with a letter or digit`;
  }
  if (name.includes('..')) return `bucket name ${JSON.stringify(name)} must not contain two adjacent periods`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `bucket name ${JSON.stringify(name)} must not be an IP address`;
  const reservedStart = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (reservedStart) return `bucket name ${JSON.stringify(name)} must not start with "${reservedStart}"`;
  const reservedEnd = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((p) => name.endsWith(p));
  if (reservedEnd) return `bucket name ${JSON.stringify(name)} must not end with "${reservedEnd}"`;
  return undefined;
}

const BUCKET_RULES = { gs: bucketNameProblem, s3: s3BucketNameProblem } as const;

/** `rest` is what follows `gs://` or `s3://`: the bucket, then an optional prefix. */
function parseBucketUri(input: string, scheme: keyof typeof BUCKET_RULES, rest: string): DestinationSpec {
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const problem = BUCKET_RULES[scheme](bucket);
  if (problem) throw invalid(input, problem);
  return { scheme, bucket, prefix: parsePrefix(input, slash === -1 ? '' : rest.slice(slash + 1)) };
}

/** A bucket or container prefix: '' or 'a/b', no control characters, backslashes, '.', '..' or empty segments. */
function parsePrefix(input: string, raw: string): string {
  const rawPrefix = raw.replace(/\/+$/, '');
  if (rawPrefix === '') return '';
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(rawPrefix)) throw invalid(input, 'the prefix contains control characters');
  if (rawPrefix.includes('\\')) throw invalid(input, 'the prefix contains a backslash');
  for (const segment of rawPrefix.split('/')) {
    if (segment === '..' || segment === '.') throw invalid(input, `the prefix must not contain '${segment}' segments`);
    if (segment === '') throw invalid(input, 'the prefix must not contain empty segments (//)');
  }
  return rawPrefix;
}

/**
 * Why `name` is not a valid Azure Blob container name, or undefined when it is.
 * Rules: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
 */
export function containerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the container name is missing';
  if (name.length < 3 || name.length > 63) return `container name ${JSON.stringify(name)} must be 3 to 63 characters long`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    return `container name ${JSON.stringify(name)} must use only lowercase letters, digits and single hyphens, and start and end with a letter or digit`;
  }
  return undefined;
}

function parseAz(input: string, rest: string, account?: string): DestinationSpec {
  const slash = rest.indexOf('/');
  const container = slash === -1 ? rest : rest.slice(0, slash);
  const problem = containerNameProblem(container);
  if (problem) throw invalid(input, problem);
  const prefix = parsePrefix(input, slash === -1 ? '' : rest.slice(slash + 1));
  return account === undefined ? { scheme: 'az', container, prefix } : { scheme: 'az', account, container, prefix };
}

/** https://<account>.blob.core.windows.net/container[/prefix]: the account's own endpoint. */
function parseAzureUrl(input: string): DestinationSpec {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid(input, 'not a valid URL');
  }
  const account = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net$/.exec(url.hostname)?.[1];
  if (!account || url.port) throw invalid(input, 'an https destination must be an Azure Blob endpoint, https://<account>.blob.core.windows.net/<container>');
  if (url.search || url.hash || url.username || url.password)
    throw invalid(input, 'an Azure Blob destination must not carry a query (a SAS token belongs in AZURE_STORAGE_CONNECTION_STRING), fragment or user');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(1));
  } catch {
    throw invalid(input, 'the path is not valid percent-encoding');
  }
  return parseAz(input, path, account);
}

function parseFile(input: string): DestinationSpec {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid(input, 'not a valid file URI');
  }
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    throw invalid(input, `file URIs must name no host (got "${url.hostname}"); write file:///absolute/path (three slashes)`);
  }
  if (url.search || url.hash) throw invalid(input, 'file URIs must not have a query or fragment');
  let root: string;
  try {
    root = fileURLToPath(`file://${url.pathname}`);
  } catch (err) {
    throw invalid(input, (err as Error).message);
  }
  return { scheme: 'file', root: normaliseRoot(root) };
}

function normaliseRoot(p: string): string {
  const resolved = path.resolve(p);
  return resolved.length > 1 ? resolved.replace(/\/+$/, '') : resolved;
}

/**
 * Parses a destination. A plain path (no `scheme:`) is a local folder, resolved against `cwd`.
 * @throws InvalidDestinationError saying what is wrong and which forms are accepted.
 */
export function parseDestination(uri: string, cwd: string = process.cwd()): DestinationSpec {
  if (typeof uri !== 'string' || uri.trim() === '') throw invalid(String(uri ?? ''), 'it is empty');
  const input = uri.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(input)?.[1];
  // A single letter before ':' would be a Windows drive; anything else with "://" is a URI.
  if (scheme && (input.slice(scheme.length).startsWith('://') || ['gs', 's3', 'az', 'file'].includes(scheme.toLowerCase()))) {
    const lower = scheme.toLowerCase();
    if (lower === 'az') {
      if (!input.slice(scheme.length).startsWith('://')) throw invalid(input, 'an az destination starts with az://');
      return parseAz(input, input.slice(scheme.length + 3));
    }
    if (lower === 'https') return parseAzureUrl(input);
    if (lower === 'gs' || lower === 's3') {
      if (!input.slice(scheme.length).startsWith('://')) throw invalid(input, `a ${lower} destination starts with ${lower}://`);
      return parseBucketUri(input, lower, input.slice(scheme.length + 3));
    }
    if (lower === 'file') {
      if (!input.slice(scheme.length).startsWith('://')) throw invalid(input, 'a file destination starts with file:///');
      return parseFile(input);
    }
    throw invalid(input, `unsupported scheme "${scheme}://"`);
  }
  if (input.includes('\u0000')) throw invalid(input, 'the path contains a NUL character');
  if (!path.isAbsolute(cwd)) throw invalid(input, `the working directory ${JSON.stringify(cwd)} is not absolute`);
  return { scheme: 'file', root: normaliseRoot(path.resolve(cwd, input)) };
}

/**
 * Canonical URI of a destination: gs:// or s3://bucket[/prefix], az://container[/prefix] (or the
 * https form when it names its account) or file:///abs/path (percent-encoded).
 */
export function destinationUri(spec: DestinationSpec): string {
  if (spec.scheme === 'file') return pathToFileURL(spec.root).href;
  if (spec.scheme === 'az') return azureObjectUri(spec, spec.prefix);
  return spec.prefix ? `${spec.scheme}://${spec.bucket}/${spec.prefix}` : `${spec.scheme}://${spec.bucket}`;
}

/** URI of a blob (or, with `key` = the prefix, of the destination root) in an az destination. */
export function azureObjectUri(spec: Extract<DestinationSpec, { scheme: 'az' }>, key: string): string {
  const root = spec.account ? `https://${spec.account}.blob.core.windows.net/${spec.container}` : `az://${spec.container}`;
  if (!key) return root;
  // A URL: segments percent-encoded, but for '=' (our `test_id=` folders), which a path may hold as it is.
  return spec.account
    ? `${root}/${key
        .split('/')
        .map((segment) => encodeURIComponent(segment).replace(/%3D/g, '='))
        .join('/')}`
    : `${root}/${key}`;
}
