import { createHash } from 'node:crypto';

/**
 * Deterministic randomness for the simulator. Everything the simulator invents (ids, names,
 * timestamps, transcript lines, media bytes) is derived from the scenario seed through these
 * helpers, so one seed always yields the same world.
 */

/** SHA-256 over the parts joined with a separator that cannot appear in numbers or UUIDs. */
export function digestOf(...parts: Array<string | number>): Buffer {
  return createHash('sha256').update(parts.map(String).join('\u001f')).digest();
}

/** A version-4-shaped UUID derived from the parts (stable: same parts → same id). */
export function seededUuid(...parts: Array<string | number>): string {
  const b = digestOf('uuid', ...parts).subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Small, fast PRNG (mulberry32) seeded from arbitrary parts; good enough for fake data. */
export class Rng {
  private state: number;

  constructor(...parts: Array<string | number>) {
    this.state = digestOf('rng', ...parts).readUInt32BE(0);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Picks a key with probability proportional to its (non-negative) weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
    let roll = this.next() * total;
    for (const [key, w] of entries) {
      roll -= Math.max(0, w);
      if (roll < 0) return key;
    }
    return entries[entries.length - 1][0];
  }
}
