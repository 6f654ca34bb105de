/**
 * MD5 and CRC32C of large streams, computed on a worker thread so hashing runs beside the network
 * and disk work instead of after it on the main thread: MD5 alone (≈ 500 MB/s on one core) would
 * otherwise cap a transfer well below the link. One thread per process serves every stream; bytes
 * go over in 1 MiB blocks (copied, then transferred) and at most `MAX_IN_FLIGHT` bytes wait there,
 * so memory stays flat whatever the object's size.
 */
import { Worker } from 'node:worker_threads';
import { crc32cBase64 } from './crc32c';

const BLOCK = 1 << 20;
const MAX_IN_FLIGHT = 4 << 20;

/** The thread's code, run with `eval` so it works from sources (tests) and from dist/ alike. */
function threadSource(crc32Module: string): string {
  return `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32c } = require(${JSON.stringify(crc32Module)});
const streams = new Map();
parentPort.on('message', (m) => {
  let s = streams.get(m.id);
  if (m.type === 'drop') { streams.delete(m.id); return; }
  if (!s) { s = { md5: createHash('md5'), crc: 0 }; streams.set(m.id, s); }
  if (m.type === 'data') {
    const b = Buffer.from(m.buf);
    s.md5.update(b);
    s.crc = crc32c(b, s.crc);
    parentPort.postMessage({ type: 'ack', id: m.id, bytes: b.length, buf: m.buf }, [m.buf]);
  } else if (m.type === 'end') {
    streams.delete(m.id);
    parentPort.postMessage({ type: 'digest', id: m.id, md5: s.md5.digest('base64'), crc: s.crc >>> 0 });
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

let shared: { worker: Worker; streams: Map<number, StreamState>; nextId: number; spare: ArrayBuffer[] } | undefined;

function thread(): NonNullable<typeof shared> {
  if (shared) return shared;
  const worker = new Worker(threadSource(require.resolve('@node-rs/crc32')), { eval: true });
  const state = { worker, streams: new Map<number, StreamState>(), nextId: 1, spare: [] as ArrayBuffer[] };
  worker.on('message', (reply: Reply) => {
    if (reply.type === 'ack' && reply.buf.byteLength === BLOCK && state.spare.length < 8) state.spare.push(reply.buf);
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
    for (const stream of state.streams.values()) {
      stream.failed = err;
      stream.wake?.();
      stream.done?.reject(err);
    }
    state.streams.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the hashing thread exited (${code})`)));
  // After the listeners (adding a 'message' listener refs the thread again): an idle hashing thread
  // must not keep the process alive; a busy one must, or a process waiting only for a digest ends.
  worker.unref();
  shared = state;
  return state;
}

function forget(state: NonNullable<typeof shared>, id: number): void {
  state.streams.delete(id);
  if (state.streams.size === 0) state.worker.unref();
}

/** Incremental MD5 + CRC32C of one stream, computed on the shared hashing thread. */
export class OffThreadHasher {
  private readonly id: number;
  private readonly state: StreamState = { inFlight: 0 };
  private readonly owner = thread();
  private block = this.freshBlock();
  private filled = 0;

  private registered = false;

  constructor() {
    this.id = this.owner.nextId++;
  }

  /** Takes the bytes (copied); resolves at once unless too many wait on the thread. */
  async update(chunk: Buffer): Promise<void> {
    this.register();
    for (let offset = 0; offset < chunk.length;) {
      const n = Math.min(chunk.length - offset, BLOCK - this.filled);
      chunk.copy(this.block, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === BLOCK) await this.send();
    }
  }

  async digest(): Promise<{ md5: string; crc32c: string }> {
    this.register();
    if (this.filled) await this.send();
    const { md5, crc } = await new Promise<{ md5: string; crc: number }>((resolve, reject) => {
      if (this.state.failed) return reject(this.state.failed);
      this.state.done = { resolve, reject };
      this.owner.worker.postMessage({ type: 'end', id: this.id });
    });
    return { md5, crc32c: crc32cBase64(crc) };
  }

  /** Forgets the stream (it was abandoned). */
  drop(): void {
    if (!this.registered) return;
    forget(this.owner, this.id);
    this.owner.worker.postMessage({ type: 'drop', id: this.id });
  }

  /** Only a stream that is fed holds the thread (and the process) alive; one never used holds nothing. */
  private register(): void {
    if (this.registered) return;
    this.registered = true;
    if (this.owner.streams.size === 0) this.owner.worker.ref();
    this.owner.streams.set(this.id, this.state);
  }

  private freshBlock(): Buffer {
    const spare = this.owner.spare.pop();
    return spare ? Buffer.from(spare) : Buffer.alloc(BLOCK);
  }

  private async send(): Promise<void> {
    if (this.state.failed) throw this.state.failed;
    const buf = this.filled === BLOCK ? this.block : Buffer.from(this.block.subarray(0, this.filled));
    const whole = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length;
    const arrayBuffer = (whole ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)) as ArrayBuffer;
    this.state.inFlight += buf.length;
    this.owner.worker.postMessage({ type: 'data', id: this.id, buf: arrayBuffer }, [arrayBuffer]);
    this.block = this.freshBlock();
    this.filled = 0;
    if (this.state.inFlight > MAX_IN_FLIGHT) await new Promise<void>((resolve) => (this.state.wake = resolve));
    if (this.state.failed) throw this.state.failed;
  }
}
