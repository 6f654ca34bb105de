/**
 * MD5 and CRC32C of large streams, each on a worker thread of its own, beside the network and disk
 * work of the main thread. MD5 cannot be split (each block depends on the one before) and runs at
 * about 500 MB/s on one core, below what a local link delivers: its thread must do nothing else,
 * so CRC32C (≈ 4 GB/s) has a thread of its own.
 *
 * The main thread copies the bytes into 1 MiB blocks and transfers each block (no copy) to the MD5
 * thread, which hashes it and transfers it on to the CRC32C thread, which hashes it and hands it
 * back for reuse. The ports keep the blocks in order. A stream waits while `MAX_IN_FLIGHT` bytes
 * are out, so memory stays flat whatever the object's size. (Blocks in shared memory, read in place
 * by both threads, were tried: copying into shared memory ran 5 × slower on the main thread.)
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { crc32cBase64 } from './crc32c';

const BLOCK = 1 << 20;
const MAX_IN_FLIGHT = 6 << 20;
/** Returned blocks kept for reuse: the blocks in flight, plus one. */
const SPARE_BLOCKS = 8;

/**
 * The MD5 thread: hashes each block, then passes it (and the stream's end, with its MD5) to the
 * CRC32C thread on `next`. Run with `eval` so it works from sources (tests) and from dist/ alike.
 */
const MD5_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const next = workerData.next;
const streams = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'data') {
    let hash = streams.get(m.id);
    if (!hash) { hash = createHash('md5'); streams.set(m.id, hash); }
    hash.update(new Uint8Array(m.buf, 0, m.bytes));
    next.postMessage(m, [m.buf]);
  } else if (m.type === 'end') {
    const hash = streams.get(m.id) ?? createHash('md5');
    streams.delete(m.id);
    next.postMessage({ type: 'end', id: m.id, md5: hash.digest('base64') });
  } else if (m.type === 'drop') {
    streams.delete(m.id);
    next.postMessage(m);
  }
});`;

/** The CRC32C thread: hashes each block and returns it to the main thread, then the digests. */
function crcThreadSource(crc32Module: string): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
const { crc32c } = require(${JSON.stringify(crc32Module)});
const streams = new Map();
workerData.previous.on('message', (m) => {
  if (m.type === 'data') {
    streams.set(m.id, crc32c(Buffer.from(m.buf, 0, m.bytes), streams.get(m.id) ?? 0));
    parentPort.postMessage({ type: 'ack', id: m.id, bytes: m.bytes, buf: m.buf }, [m.buf]);
  } else if (m.type === 'end') {
    const crc = (streams.get(m.id) ?? 0) >>> 0;
    streams.delete(m.id);
    parentPort.postMessage({ type: 'digest', id: m.id, md5: m.md5, crc });
  } else if (m.type === 'drop') {
    streams.delete(m.id);
  }
});`;
}

type Reply = { type: 'ack'; id: number; bytes: number; buf: ArrayBuffer } | { type: 'digest'; id: number; md5: string; crc: number };

interface StreamState {
  inFlight: number;
  wake?: () => void;
  done?: { resolve: (d: { md5: string; crc: number }) => void; reject: (e: Error) => void };
  failed?: Error;
}

interface HashingThreads {
  md5: Worker;
  crc: Worker;
  streams: Map<number, StreamState>;
  nextId: number;
  spare: ArrayBuffer[];
}

let shared: HashingThreads | undefined;

function threads(): HashingThreads {
  if (shared) return shared;
  const { port1, port2 } = new MessageChannel();
  const md5 = new Worker(MD5_THREAD, { eval: true, workerData: { next: port1 }, transferList: [port1] });
  const crc = new Worker(crcThreadSource(require.resolve('@node-rs/crc32')), { eval: true, workerData: { previous: port2 }, transferList: [port2] });
  const state: HashingThreads = { md5, crc, streams: new Map(), nextId: 1, spare: [] };
  crc.on('message', (reply: Reply) => {
    if (reply.type === 'ack' && reply.buf.byteLength === BLOCK && state.spare.length < SPARE_BLOCKS) state.spare.push(reply.buf);
    const stream = state.streams.get(reply.id);
    if (!stream) return;
    if (reply.type === 'ack') {
      stream.inFlight -= reply.bytes;
      if (stream.inFlight <= MAX_IN_FLIGHT / 2 && stream.wake) {
        const wake = stream.wake;
        stream.wake = undefined;
        wake();
      }
    } else {
      forget(state, reply.id);
      stream.done?.resolve({ md5: reply.md5, crc: reply.crc });
    }
  });
  const fail = (err: Error) => {
    if (shared === state) shared = undefined;
    void md5.terminate();
    void crc.terminate();
    for (const stream of state.streams.values()) {
      stream.failed = err;
      stream.wake?.();
      stream.done?.reject(err);
    }
    state.streams.clear();
  };
  for (const [name, worker] of [
    ['MD5', md5],
    ['CRC32C', crc],
  ] as const) {
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ${name} hashing thread exited (${code})`)));
    // After the listeners (adding a 'message' listener refs the thread again): idle hashing threads
    // must not keep the process alive; busy ones must, or a process waiting only for a digest ends.
    worker.unref();
  }
  shared = state;
  return state;
}

function forget(state: HashingThreads, id: number): void {
  state.streams.delete(id);
  if (state.streams.size === 0) {
    state.md5.unref();
    state.crc.unref();
  }
}

/** Incremental MD5 + CRC32C of one stream, computed on the two hashing threads. */
export class OffThreadHasher {
  private readonly id: number;
  private readonly state: StreamState = { inFlight: 0 };
  private readonly owner = threads();
  private block = this.freshBlock();
  private filled = 0;
  private registered = false;

  constructor() {
    this.id = this.owner.nextId++;
  }

  /**
   * Takes the bytes (copied). Returns nothing when they were taken at once, or a promise when the
   * stream must wait for blocks to come back: no promise per chunk on the fast path.
   */
  update(chunk: Buffer): Promise<void> | undefined {
    this.register();
    for (let offset = 0; offset < chunk.length;) {
      if (this.state.failed) return Promise.reject(this.state.failed);
      const n = Math.min(chunk.length - offset, BLOCK - this.filled);
      chunk.copy(this.block, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === BLOCK) {
        this.send();
        if (this.state.inFlight > MAX_IN_FLIGHT) {
          const rest = chunk.subarray(offset);
          return this.drained().then(() => (rest.length ? this.update(rest) : undefined));
        }
      }
    }
    return undefined;
  }

  async digest(): Promise<{ md5: string; crc32c: string }> {
    this.register();
    if (this.state.failed) throw this.state.failed;
    if (this.filled) this.send();
    const { md5, crc } = await new Promise<{ md5: string; crc: number }>((resolve, reject) => {
      if (this.state.failed) return reject(this.state.failed);
      this.state.done = { resolve, reject };
      this.owner.md5.postMessage({ type: 'end', id: this.id });
    });
    return { md5, crc32c: crc32cBase64(crc) };
  }

  /** Forgets the stream (it was abandoned). */
  drop(): void {
    if (!this.registered) return;
    forget(this.owner, this.id);
    this.owner.md5.postMessage({ type: 'drop', id: this.id });
  }

  /** Only a stream that is fed holds the threads (and the process) alive; one never used holds nothing. */
  private register(): void {
    if (this.registered) return;
    this.registered = true;
    if (this.owner.streams.size === 0) {
      this.owner.md5.ref();
      this.owner.crc.ref();
    }
    this.owner.streams.set(this.id, this.state);
  }

  private freshBlock(): Buffer {
    const spare = this.owner.spare.pop();
    return spare ? Buffer.from(spare) : Buffer.from(new ArrayBuffer(BLOCK));
  }

  private send(): void {
    const buf = this.block.buffer as ArrayBuffer;
    this.state.inFlight += this.filled;
    this.owner.md5.postMessage({ type: 'data', id: this.id, buf, bytes: this.filled }, [buf]);
    this.block = this.freshBlock();
    this.filled = 0;
  }

  private async drained(): Promise<void> {
    await new Promise<void>((resolve) => (this.state.wake = resolve));
    if (this.state.failed) throw this.state.failed;
  }
}
