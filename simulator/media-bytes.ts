import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Crc32c } from '../storage/crc32c';
import { digestOf } from './random';

/**
 * Deterministic media bytes. An object's content is a keystream (AES-128-CTR, native and fast)
 * keyed by (scenario seed, media key, content version), cut in 64 KiB blocks: block i can be made
 * on its own, so any byte range streams without holding the object and without starting at 0.
 * An object large enough starts with a real H.264 video (`sample-video.mp4`, 180 s, made by
 * scripts/make-sample-video.sh) followed by a `free` box over the rest, which players skip: the
 * archive plays. A smaller one starts with an MP4 `ftyp` box and an `mdat` header, so tools still
 * recognise the file type.
 */

export const BLOCK_SIZE = 64 * 1024;

export interface MediaContent {
  /** 'video:<sessionId>', 'clip:<clipUuid>' or 'reel:<reelId>' */
  key: string;
  /** Changes when the object's content changes (a reel's lastUpdatedAtMs). */
  version: number;
  size: number;
  /** AES key of the keystream; derived by `mediaContent`. */
  cipherKey: Buffer;
}

export interface MediaDigest {
  bytes: number;
  /** base64, as GCS reports it */
  md5: string;
  /** base64 of the big-endian uint32, as GCS reports it */
  crc32c: string;
}

const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

export function mediaContent(seed: number, key: string, version: number, size: number): MediaContent {
  return { key, version, size, cipherKey: digestOf('media', seed, key, version).subarray(0, 16) };
}

/** The sample video, beside this file in the sources (ts-jest) or two folders up from dist/simulator. */
function readSampleVideo(): Buffer {
  const candidates = [path.join(__dirname, 'sample-video.mp4'), path.join(__dirname, '..', '..', 'simulator', 'sample-video.mp4')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`simulator/sample-video.mp4 is missing (looked in ${candidates.join(', ')}): run scripts/make-sample-video.sh`);
  const video = fs.readFileSync(found);
  if (video.length > BLOCK_SIZE - 16) throw new Error(`simulator/sample-video.mp4 must fit in one media block (${BLOCK_SIZE - 16} bytes)`);
  return video;
}

export const SAMPLE_VIDEO = readSampleVideo();
/** How long the sample video plays (scripts/make-sample-video.sh). */
export const SAMPLE_VIDEO_MS = 180_000;

/** An MP4 box header of `type` for `bytes` of payload (the 64-bit size form past 4 GiB). */
function boxHeader(type: 'free' | 'mdat', bytes: number): Buffer {
  if (bytes < 0x1_0000_0000) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(bytes, 0);
    header.write(type, 4, 'latin1');
    return header;
  }
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(bytes), 8);
  return header;
}

/** The sample video and the header of a `free` box that fills the object to `size`. */
function playableHeader(size: number): Buffer {
  return Buffer.concat([SAMPLE_VIDEO, boxHeader('free', size - SAMPLE_VIDEO.length)]);
}

/** Objects from this size on play: they hold the sample video and a `free` box header. */
export const PLAYABLE_MIN_BYTES = SAMPLE_VIDEO.length + 16;

function mp4Header(size: number): Buffer {
  const ftyp = Buffer.alloc(32);
  ftyp.writeUInt32BE(32, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isomiso2avc1mp41', 16, 'latin1');
  return Buffer.concat([ftyp, boxHeader('mdat', size - 32)]);
}

/** The full 64 KiB block `index` (callers slice it to the object's size). */
export function mediaBlock(content: MediaContent, index: number): Buffer {
  const iv = Buffer.alloc(16);
  // CTR counter = first 16-byte cipher block of this media block: blocks never overlap.
  iv.writeBigUInt64BE(BigInt(index) * BigInt(BLOCK_SIZE / 16), 8);
  const cipher = createCipheriv('aes-128-ctr', content.cipherKey, iv);
  const block = cipher.update(ZERO_BLOCK);
  if (index === 0 && content.size >= PLAYABLE_MIN_BYTES) playableHeader(content.size).copy(block, 0);
  else if (index === 0 && content.size >= 48) mp4Header(content.size).copy(block, 0);
  return block;
}

/**
 * Yields the bytes [start, endInclusive] of the object in chunks of at most `chunkSize`
 * (clamped to the object's size).
 */
export function* mediaChunks(content: MediaContent, start: number, endInclusive: number, chunkSize = BLOCK_SIZE): Generator<Buffer> {
  const end = Math.min(endInclusive, content.size - 1);
  let pos = start;
  while (pos <= end) {
    const index = Math.floor(pos / BLOCK_SIZE);
    const block = mediaBlock(content, index);
    const blockStart = index * BLOCK_SIZE;
    const sliceEnd = Math.min(end + 1, blockStart + BLOCK_SIZE);
    for (let p = pos; p < sliceEnd; p += chunkSize) {
      yield block.subarray(p - blockStart, Math.min(sliceEnd, p + chunkSize) - blockStart);
    }
    pos = sliceEnd;
  }
}

/** Hashes the whole object once (md5 + crc32c), streaming block by block. */
export function computeDigest(content: MediaContent): MediaDigest {
  const md5 = createHash('md5');
  const crc = new Crc32c();
  for (const chunk of mediaChunks(content, 0, content.size - 1)) {
    md5.update(chunk);
    crc.update(chunk);
  }
  return { bytes: content.size, md5: md5.digest('base64'), crc32c: crc.toString() };
}

/** Objects up to this size get an S3 single-part ETag (quoted md5 hex). */
export const SINGLE_PART_ETAG_MAX = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;

/**
 * S3-style ETag. Small objects: the quoted md5 hex of the content (like a single-part upload).
 * Larger ones: a multipart-style `"<hex>-<parts>"`, which (as on S3) is NOT the content's md5;
 * it is stable per content version, so it can still be used to detect a change.
 */
export function mediaETag(content: MediaContent, digest: () => MediaDigest): string {
  if (content.size <= SINGLE_PART_ETAG_MAX) return `"${Buffer.from(digest().md5, 'base64').toString('hex')}"`;
  const parts = Math.ceil(content.size / PART_SIZE);
  const hex = createHash('md5').update(content.cipherKey).update(String(content.size)).digest('hex');
  return `"${hex}-${parts}"`;
}
