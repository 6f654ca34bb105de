/**
 * User metadata on S3 (`x-amz-meta-*`): HTTP headers, so names come back lower-cased and values
 * must be printable ASCII; 2 KB for names and values together. Names are stored kebab-cased
 * (`lastUpdatedAtMs` as `last-updated-at-ms`) and values that are not plain ASCII as RFC 2047
 * `=?UTF-8?B?…?=` (the form S3 itself uses for such values), so both read back exactly. Our own
 * MD5 and CRC32C of the bytes travel in two reserved entries: S3 has neither for a multipart object.
 */
import type { Checksums } from '../checksums';
import { setEntry } from '../metadata';

/** S3's limit for user metadata: UTF-8 bytes of all names and values. */
export const S3_METADATA_LIMIT_BYTES = 2048;

/**
 * What the callers may spend (names and values as they have them). Room is left for the encoding
 * (a non-ASCII value grows by a third, a capital in a name by one byte) and the checksum entries.
 */
export const S3_METADATA_BUDGET_BYTES = 1152;

const MD5_KEY = 'utMediaMd5';
const CRC32C_KEY = 'utMediaCrc32c';
const RESERVED = new Set([MD5_KEY, CRC32C_KEY]);

const PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const ENCODED_VALUE = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i;

/**
 * `lastUpdatedAtMs` → `last-updated-at-ms`; any character but [a-z0-9.] and capitals → `--` + 4 hex
 * digits. An underscore too: many HTTP servers and proxies drop header names that have one (moto
 * does, nginx by default), and a name such as `__proto__` is lost by the SDK's response parsing.
 * (Names stored with a plain '_' by earlier versions still read back.)
 */
export function encodeMetadataKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (/[a-z0-9.]/.test(ch)) out += ch;
    else if (/[A-Z]/.test(ch)) out += `-${ch.toLowerCase()}`;
    else for (const unit of ch.split('')) out += `--${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
  return out;
}

export function decodeMetadataKey(stored: string): string {
  return stored.replace(/--([0-9a-f]{4})|-([a-z])/g, (_m, hex: string | undefined, letter: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : letter!.toUpperCase(),
  );
}

export function encodeMetadataValue(value: string): string {
  if (PLAIN_VALUE.test(value) && !value.startsWith('=?')) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeMetadataValue(stored: string): string {
  const encoded = ENCODED_VALUE.exec(stored);
  return encoded ? Buffer.from(encoded[1], 'base64').toString('utf8') : stored;
}

/** The headers' worth of metadata for an object with these checksums; undefined checksums are left out. */
export function toS3Metadata(metadata: Record<string, string>, checksums?: Pick<Checksums, 'md5' | 'crc32c'>): Record<string, string> {
  const entries: Array<[string, string]> = Object.entries(metadata).filter(([k]) => !RESERVED.has(k));
  if (checksums) entries.push([MD5_KEY, checksums.md5], [CRC32C_KEY, checksums.crc32c]);
  return Object.fromEntries(entries.map(([k, v]) => [encodeMetadataKey(k), encodeMetadataValue(v)]));
}

/** Bytes S3 counts against its limit. */
export function s3MetadataBytes(stored: Record<string, string>): number {
  return Object.entries(stored).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

export interface ReadMetadata {
  metadata: Record<string, string>;
  /** Our checksums, when the object carries them (an object written by another tool does not). */
  checksums?: { md5: string; crc32c: string };
}

/** Metadata as the SDK reports it (names lower-cased by HTTP), back to what was written. */
export function fromS3Metadata(stored: Record<string, string> | undefined): ReadMetadata {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(stored ?? {})) setEntry(metadata, decodeMetadataKey(k.toLowerCase()), decodeMetadataValue(v));
  const md5 = metadata[MD5_KEY];
  const crc32c = metadata[CRC32C_KEY];
  for (const key of RESERVED) delete metadata[key];
  return { metadata, ...(md5 && crc32c ? { checksums: { md5, crc32c } } : {}) };
}
