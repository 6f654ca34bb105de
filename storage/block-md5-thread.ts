/**
 * MD5 of whole blocks (an az:// block's transactional Content-MD5), on a worker thread of its own:
 * computed on the main thread it took 2–4 s per GB there, in series with everything else the
 * thread does, and paced the whole transfer. The block is copied once into shared memory the
 * thread reads in place; the stream's own MD5 and CRC32C keep their threads (hashing-threads.ts).
 */
import { Worker } from 'node:worker_threads';

/** Shared buffers kept for the next blocks: the blocks in flight, plus one. */
const SPARE_BUFFERS = 4;

const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, memory, bytes }) => {
  const digest = createHash('md5').update(Buffer.from(memory, 0, bytes)).digest();
  parentPort.postMessage({ id, digest });
});`;

interface Pending {
  memory: SharedArrayBuffer;
  resolve: (digest: Buffer) => void;
  reject: (err: Error) => void;
}

let thread: { worker: Worker; pending: Map<number, Pending> } | undefined;
const spare: SharedArrayBuffer[] = [];
let nextId = 1;

function blockThread(): NonNullable<typeof thread> {
  if (thread) return thread;
  const worker = new Worker(THREAD_SOURCE, { eval: true });
  const state = { worker, pending: new Map<number, Pending>() };
  worker.on('message', ({ id, digest }: { id: number; digest: Uint8Array }) => {
    const waiting = state.pending.get(id);
    if (!waiting) return;
    state.pending.delete(id);
    if (state.pending.size === 0) worker.unref();
    if (spare.length < SPARE_BUFFERS) spare.push(waiting.memory);
    waiting.resolve(Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength));
  });
  const fail = (err: Error) => {
    if (thread === state) thread = undefined;
    for (const waiting of state.pending.values()) waiting.reject(err);
    state.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the block MD5 thread exited (${code})`)));
  worker.unref();
  thread = state;
  return state;
}

/** The MD5 of `data` (16 bytes), computed off the main thread. */
export function md5OfBlock(data: Buffer): Promise<Buffer> {
  const state = blockThread();
  const index = spare.findIndex((m) => m.byteLength >= data.length);
  const memory = index >= 0 ? spare.splice(index, 1)[0]! : new SharedArrayBuffer(Math.max(1, data.length));
  data.copy(Buffer.from(memory));
  const id = nextId++;
  return new Promise<Buffer>((resolve, reject) => {
    if (state.pending.size === 0) state.worker.ref();
    state.pending.set(id, { memory, resolve, reject });
    state.worker.postMessage({ id, memory, bytes: data.length });
  });
}
