/**
 * A generated source that stops once `pauseAt` bytes were taken from it, until `resume()`: a
 * writer caught mid-stream, for tests of what others see meanwhile. Bytes as generatedSource
 * makes them (the same for the same offsets: give racing writers different sizes).
 */
import { Readable } from 'node:stream';
import type { Checksums } from '../../storage';
import { generatedSource } from './generated-source';

export interface PausedSource {
  stream: Readable;
  checksums: Promise<Checksums>;
  /** Resolves when the writer has taken `pauseAt` bytes and asks for more. */
  paused: Promise<void>;
  resume(): void;
}

export function pausedSource(totalBytes: number, pauseAt: number): PausedSource {
  const inner = generatedSource(totalBytes, { chunkSize: 16 * 1024 });
  let resume!: () => void;
  const resumed = new Promise<void>((r) => (resume = r));
  let reached!: () => void;
  const paused = new Promise<void>((r) => (reached = r));
  async function* bytes(): AsyncGenerator<Buffer> {
    let passed = 0;
    for await (const chunk of inner.stream) {
      const buf = chunk as Buffer;
      if (passed + buf.length > pauseAt && passed <= pauseAt) {
        // Up to exactly `pauseAt`, then wait.
        const before = buf.subarray(0, pauseAt - passed);
        if (before.length) yield before;
        reached();
        await resumed;
        yield buf.subarray(pauseAt - passed);
      } else {
        yield buf;
      }
      passed += buf.length;
    }
    // A source shorter than `pauseAt` ends without pausing.
    reached();
  }
  return { stream: Readable.from(bytes(), { objectMode: false }), checksums: inner.checksums, paused, resume };
}
