/**
 * Custom metadata on Azure blobs, encoded so that what we write is exactly what we read back.
 *
 * Azure metadata names must be C# identifiers and are case-insensitive (the SDK reads them back
 * lower-cased from a blob's properties, case-preserved from a listing); values travel as HTTP
 * headers: ASCII only (anything else breaks the request signature or is refused by Node),
 * trimmed, and an empty one is dropped. Ours are camelCase names with any UTF-8 value, so:
 * - names: an upper-case letter becomes '_' + its lower case (`testId` -> `test_id`), '_' becomes
 *   '__', and any other character (or a leading digit) '_0' + its UTF-16 code in 4 hex digits;
 * - values: printable ASCII without surrounding spaces stays as it is; anything else (and an
 *   empty value) becomes an RFC 2047 encoded word, `=?utf-8?b?<base64 of the UTF-8>?=`.
 * Azure allows 8 KiB of names and values together; `encodeMetadata` refuses more.
 */
import { StorageRequestError } from '../errors';
import { setEntry } from '../metadata';

/** Azure's limit for all metadata names and values of one blob together. */
export const AZURE_METADATA_LIMIT_BYTES = 8 * 1024;

/**
 * What the activities may put in an az:// object's metadata, counted as they count it (UTF-8
 * bytes of names and values, before encoding): base64 makes a non-ASCII value 4/3 as long, and
 * names, encoded-word markers and our two checksum entries need the rest of the 8 KiB.
 */
export const AZURE_METADATA_BUDGET_BYTES = 5.5 * 1024;

/** Our checksums, kept in metadata as well (names as encoded). */
export const MD5_KEY = 'ut_media_md5';
export const CRC32C_KEY = 'ut_media_crc32c';
const RESERVED = new Set([MD5_KEY, CRC32C_KEY]);

const PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const ENCODED_WORD_START = '=?utf-8?b?';
const ENCODED_WORD = /^=\?utf-8\?b\?([A-Za-z0-9+/]*={0,2})\?=$/;

export function encodeMetadataName(name: string): string {
  if (name.length === 0) throw new Error('a metadata name must not be empty');
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch >= 'a' && ch <= 'z') out += ch;
    else if (ch >= 'A' && ch <= 'Z') out += `_${ch.toLowerCase()}`;
    else if (ch === '_') out += '__';
    else if (ch >= '0' && ch <= '9' && i > 0) out += ch;
    else out += `_0${name.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  // The SDK assigns response headers to a plain object by name, so a header named `__proto__` would be lost.
  return out === '__proto__' ? `_0005f${out.slice(2)}` : out;
}

/** The name `encodeMetadataName` was given; a name it cannot have produced comes back lower-cased. */
export function decodeMetadataName(stored: string): string {
  const encoded = stored.toLowerCase();
  let out = '';
  for (let i = 0; i < encoded.length; i++) {
    const ch = encoded[i];
    if (ch !== '_') {
      out += ch;
      continue;
    }
    const next = encoded[i + 1];
    if (next === '_') {
      out += '_';
      i += 1;
    } else if (next !== undefined && next >= 'a' && next <= 'z') {
      out += next.toUpperCase();
      i += 1;
    } else if (next === '0' && /^[0-9a-f]{4}$/.test(encoded.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(encoded.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      return encoded;
    }
  }
  return out;
}

export function encodeMetadataValue(value: string): string {
  if (PLAIN_VALUE.test(value) && !value.startsWith(ENCODED_WORD_START)) return value;
  return `${ENCODED_WORD_START}${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeMetadataValue(stored: string): string {
  const word = ENCODED_WORD.exec(stored);
  return word ? Buffer.from(word[1], 'base64').toString('utf8') : stored;
}

export function encodedMetadataBytes(encoded: Record<string, string>): number {
  return Object.entries(encoded).reduce((n, [k, v]) => n + k.length + v.length, 0);
}

/**
 * Metadata as Azure takes it, with our checksums when given. Throws before any request: a plain
 * Error for a reserved name (a programming error), a StorageRequestError that no retry can help
 * when the whole is over Azure's 8 KiB.
 */
export function encodeMetadata(objectUri: string, metadata: Record<string, string>, checksums?: { md5: string; crc32c: string }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    const key = encodeMetadataName(name);
    if (RESERVED.has(key)) throw new Error(`metadata name ${JSON.stringify(name)} is reserved for the stored checksums`);
    setEntry(out, key, encodeMetadataValue(value));
  }
  if (checksums) {
    out[MD5_KEY] = checksums.md5;
    out[CRC32C_KEY] = checksums.crc32c;
  }
  const bytes = encodedMetadataBytes(out);
  if (bytes > AZURE_METADATA_LIMIT_BYTES) {
    const message = `${objectUri}: its metadata is ${bytes} bytes once encoded for Azure, over the ${AZURE_METADATA_LIMIT_BYTES}-byte limit`;
    throw new StorageRequestError(message, objectUri, undefined, 'MetadataTooLarge', false);
  }
  return out;
}

/** Our metadata and checksums from what Azure reports (names in any case). */
export function decodeMetadata(stored: Record<string, string> | undefined): { metadata: Record<string, string>; md5?: string; crc32c?: string } {
  const metadata: Record<string, string> = {};
  let md5: string | undefined;
  let crc32c: string | undefined;
  for (const [rawName, value] of Object.entries(stored ?? {})) {
    const name = rawName.toLowerCase();
    if (name === MD5_KEY) md5 = value;
    else if (name === CRC32C_KEY) crc32c = value;
    else setEntry(metadata, decodeMetadataName(name), decodeMetadataValue(value));
  }
  return { metadata, md5, crc32c };
}
