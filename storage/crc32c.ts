/**
 * CRC-32C (Castagnoli) as GCS reports it (base64 of the big-endian uint32), computed by
 * `@node-rs/crc32` (SIMD/hardware instructions, prebuilt binaries): GBs per second where the
 * JavaScript `CRC32C` of `@google-cloud/storage` manages tens of MB/s and would cap every transfer.
 * Also the GCS client's `crc32cGenerator`, so its upload validation costs no more.
 */
import { crc32c } from '@node-rs/crc32';

export class Crc32c {
  private crc = 0;

  update(data: Uint8Array): this {
    this.crc = crc32c(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), this.crc);
    return this;
  }

  /** The checksum as an unsigned 32-bit integer. */
  value(): number {
    return this.crc >>> 0;
  }

  /** The checksum as GCS reports it: base64 of the 4 big-endian bytes. */
  toString(): string {
    return crc32cBase64(this.value());
  }

  /** `@google-cloud/storage`'s validator interface. */
  validate(expected: string): boolean {
    return expected === this.toString();
  }
}

/** A CRC32C value as GCS reports it: base64 of the 4 big-endian bytes. */
export function crc32cBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b.toString('base64');
}
