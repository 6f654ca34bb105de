/**
 * MD5 and CRC32C of large streams, each on a worker thread of its own, beside the network and disk
 * work of the main thread. MD5 cannot be split (each block depends on the one before) and runs at
 * about 500 MB/s on one core, below what a local link delivers: its thread must do nothing else,
 * so CRC32C (≈ 4 GB/s) has its own thread and the main thread only copies bytes.
 *
 * Each stream owns a few 1 MiB slots of shared memory: the main thread copies the bytes into a slot
 * once, both threads read that slot in place (no copy, no transfer, no allocation per block), and
 * the slot is refilled when both have acknowledged it. A stream waits when all its slots are out, so
 * memory stays at `SLOTS × SLOT_BYTES` per stream whatever the object's size.
 */
import { Worker } from 'node:worker_threads';
import { crc32cBase64 } from './crc32c';

const SLOT_BYTES = 2 << 20;
/** Slots per stream: enough for MD5's thread never to wait for the next block while one is filled. */
const SLOTS = 4;
/** Shared memory of finished streams kept for the next ones, so a run of videos allocates it once. */
const SPARE_MEMORY = 4;

type Algorithm = 'md5' | 'crc32c';

/** The threads' code, run with `eval` so it works from sources (tests) and from dist/ alike. */
function threadSource(algorithm: Algorithm, crc32Module: string): string {
  const hash =
    algorithm === 'md5'
      ? `const { createHash } = require('node:crypto');
const start = () => createHash('md5');
const update = (s, bytes) => { s.update(bytes); return s; };
const finish = (s) => s.digest('base64');`
      : `const { crc32c } = require(${JSON.stringify(crc32Module)});
const start = () => 0;
const update = (s, bytes) => crc32c(bytes, s);
const finish = (s) => s >>> 0;`;
  return `
const { parentPort } = require('node:worker_threads');
${hash}
const streams = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'open') { streams.set(m.id, { memory: Buffer.from(m.memory), state: start() }); return; }
  const s = streams.get(m.id);
  if (!s) return;
  if (m.type === 'data') {
    s.state = update(s.state, s.memory.subarray(m.slot * ${SLOT_BYTES}, m.slot * ${SLOT_BYTES} + m.bytes));
    parentPort.postMessage({ type: 'ack', id: m.id, slot: m.slot });
  } else if (m.type === 'end') {
    streams.delete(m.id);
    parentPort.postMessage({ type: 'digest', id: m.id, value: finish(s.state) });
  } else if (m.type === 'drop') {
    streams.delete(m.id);
  }
});`;
}

type Reply = { type: 'ack'; id: number; slot: number } | { type: 'digest'; id: number; value: string | number };

/** What a thread tells the stream it serves. */
interface StreamListener {
  acked(slot: number): void;
  digested(algorithm: Algorithm, value: string | number): void;
  failed(err: Error): void;
}

interface HashingThread {
  worker: Worker;
  streams: Map<number, StreamListener>;
}

const threads = new Map<Algorithm, HashingThread>();
const spareMemory: SharedArrayBuffer[] = [];
let nextStreamId = 1;

function threadFor(algorithm: Algorithm): HashingThread {
  const existing = threads.get(algorithm);
  if (existing) return existing;
  const worker = new Worker(threadSource(algorithm, require.resolve('@node-rs/crc32')), { eval: true });
  const thread: HashingThread = { worker, streams: new Map() };
  worker.on('message', (reply: Reply) => {
    const stream = thread.streams.get(reply.id);
    if (!stream) return;
    if (reply.type === 'ack') stream.acked(reply.slot);
    else {
      release(thread, reply.id);
      stream.digested(algorithm, reply.value);
    }
  });
  const fail = (err: Error) => {
    if (threads.get(algorithm) === thread) threads.delete(algorithm);
    for (const stream of thread.streams.values()) stream.failed(err);
    thread.streams.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the ${algorithm} hashing thread exited (${code})`)));
  // After the listeners (adding a 'message' listener refs the thread again): an idle hashing thread
  // must not keep the process alive; a busy one must, or a process waiting only for a digest ends.
  worker.unref();
  threads.set(algorithm, thread);
  return thread;
}

function attach(thread: HashingThread, id: number, listener: StreamListener, memory: SharedArrayBuffer): void {
  if (thread.streams.size === 0) thread.worker.ref();
  thread.streams.set(id, listener);
  thread.worker.postMessage({ type: 'open', id, memory });
}

function release(thread: HashingThread, id: number): void {
  thread.streams.delete(id);
  if (thread.streams.size === 0) thread.worker.unref();
}

const ALGORITHMS: readonly Algorithm[] = ['md5', 'crc32c'];

/** Incremental MD5 + CRC32C of one stream, computed on the two hashing threads. */
export class OffThreadHasher implements StreamListener {
  private readonly id = nextStreamId++;
  private attached: Array<{ algorithm: Algorithm; thread: HashingThread }> | undefined;
  private memory: Buffer | undefined;
  private sharedMemory: SharedArrayBuffer | undefined;
  /** Slots free to fill; the one being filled is `slot`. */
  private readonly freeSlots: number[] = [];
  /** Acknowledgements each dispatched slot still waits for. */
  private readonly pendingAcks = new Map<number, number>();
  private slot = -1;
  private filled = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly digests: Partial<Record<Algorithm, string | number>> = {};
  private done: { resolve: () => void; reject: (e: Error) => void } | undefined;

  /**
   * Takes the bytes (copied into shared memory). Returns nothing when they were taken at once, or a
   * promise when the stream must wait for a slot: no promise per chunk on the fast path.
   */
  update(chunk: Buffer): Promise<void> | undefined {
    this.attach();
    let offset = 0;
    while (offset < chunk.length) {
      if (this.failure) return Promise.reject(this.failure);
      if (this.slot < 0) {
        const slot = this.freeSlots.pop();
        if (slot === undefined) return this.waitForSlot().then(() => this.update(chunk.subarray(offset)));
        this.slot = slot;
        this.filled = 0;
      }
      const n = Math.min(chunk.length - offset, SLOT_BYTES - this.filled);
      chunk.copy(this.memory!, this.slot * SLOT_BYTES + this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === SLOT_BYTES) this.dispatch();
    }
    return undefined;
  }

  async digest(): Promise<{ md5: string; crc32c: string }> {
    this.attach();
    if (this.slot >= 0 && this.filled > 0) this.dispatch();
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.done = { resolve, reject };
      for (const { thread } of this.attached!) thread.worker.postMessage({ type: 'end', id: this.id });
    });
    this.recycleMemory();
    return { md5: this.digests.md5 as string, crc32c: crc32cBase64(this.digests.crc32c as number) };
  }

  /** Forgets the stream (it was abandoned). */
  drop(): void {
    if (!this.attached) return;
    for (const { thread } of this.attached) {
      if (thread.streams.get(this.id) !== this) continue;
      release(thread, this.id);
      thread.worker.postMessage({ type: 'drop', id: this.id });
    }
    // The threads may still read the memory for a block already sent: it is not reused.
    this.sharedMemory = undefined;
  }

  acked(slot: number): void {
    const left = (this.pendingAcks.get(slot) ?? 1) - 1;
    if (left > 0) {
      this.pendingAcks.set(slot, left);
      return;
    }
    this.pendingAcks.delete(slot);
    this.freeSlots.push(slot);
    this.wakeUp();
  }

  digested(algorithm: Algorithm, value: string | number): void {
    this.digests[algorithm] = value;
    if (ALGORITHMS.every((a) => this.digests[a] !== undefined)) this.done?.resolve();
  }

  failed(err: Error): void {
    this.failure ??= err;
    this.drop();
    this.wakeUp();
    this.done?.reject(err);
  }

  /** Only a stream that is fed holds the threads (and the process) alive; one never used holds nothing. */
  private attach(): void {
    if (this.attached) return;
    this.sharedMemory = spareMemory.pop() ?? new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    this.memory = Buffer.from(this.sharedMemory);
    for (let slot = SLOTS - 1; slot >= 0; slot--) this.freeSlots.push(slot);
    this.attached = ALGORITHMS.map((algorithm) => ({ algorithm, thread: threadFor(algorithm) }));
    for (const { thread } of this.attached) attach(thread, this.id, this, this.sharedMemory);
  }

  private dispatch(): void {
    const message = { type: 'data', id: this.id, slot: this.slot, bytes: this.filled };
    this.pendingAcks.set(this.slot, this.attached!.length);
    for (const { thread } of this.attached!) thread.worker.postMessage(message);
    this.slot = -1;
    this.filled = 0;
  }

  private waitForSlot(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private recycleMemory(): void {
    if (this.sharedMemory && spareMemory.length < SPARE_MEMORY) spareMemory.push(this.sharedMemory);
    this.sharedMemory = undefined;
  }
}
