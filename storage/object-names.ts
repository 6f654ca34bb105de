/**
 * Defensive checks on the relative object paths callers hand in. Callers build them from
 * validated UUIDs; these checks make sure nothing else (absolute paths, `..`, backslashes) can
 * reach a bucket key or a file path. Violations are programming errors: plain Error.
 */

/** Name of the local destination's temp folder; no object may live under it. */
export const LOCAL_TEMP_DIR = '.ut-media-tmp';

const FORBIDDEN_SEGMENTS = new Set(['', '.', '..']);

/** Returns `relativePath` unchanged when it is a safe relative object path, else throws. */
export function checkRelativePath(relativePath: string): string {
  if (typeof relativePath !== 'string' || relativePath.length === 0) {
    throw new Error('object path must be a non-empty relative path');
  }
  if (relativePath.startsWith('/')) throw new Error(`object path must be relative, got ${JSON.stringify(relativePath)}`);
  if (relativePath.includes('\\')) throw new Error(`object path must not contain backslashes: ${JSON.stringify(relativePath)}`);
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(relativePath)) throw new Error(`object path must not contain control characters: ${JSON.stringify(relativePath)}`);
  const segments = relativePath.split('/');
  for (const segment of segments) {
    if (FORBIDDEN_SEGMENTS.has(segment)) {
      throw new Error(`object path must not contain empty, '.' or '..' segments: ${JSON.stringify(relativePath)}`);
    }
  }
  if (segments[0] === LOCAL_TEMP_DIR) throw new Error(`object path must not be under ${LOCAL_TEMP_DIR}/: ${JSON.stringify(relativePath)}`);
  return relativePath;
}

/**
 * Normalises a folder prefix for `list`: '' stays '', 'a/b' and 'a/b/' become 'a/b/'.
 * The folder itself must pass the same checks as an object path.
 */
export function folderPrefix(relativePrefix: string): string {
  const trimmed = relativePrefix.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return `${checkRelativePath(trimmed)}/`;
}

/** Joins a destination prefix ('' or 'a/b') and a relative path with exactly one slash. */
export function joinKey(prefix: string, relativePath: string): string {
  return prefix === '' ? relativePath : `${prefix}/${relativePath}`;
}
