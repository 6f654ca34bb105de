/**
 * The pipeline of a write: the caller's source, through the destination's hasher, into its sink.
 *
 * Since Node 22 (nodejs/node#53462) `stream.pipeline` settles only once every one of its streams has
 * closed, the source included, and a source may take as long as it likes to close: a Readable.from
 * over an async generator closes only when the generator next reaches a `yield`, so one waiting on a
 * stalled download (or a test's pause) would hold an aborted or failed write open until it moves.
 * So the source is not one of pipeline's streams: it is piped into a PassThrough that is, and on
 * failure it is destroyed but not waited for. The write settles once the destination's own streams
 * have, as it did on Node 20.
 */
import { finished, PassThrough, type Readable, type Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function pipeSourceInto(source: NodeJS.ReadableStream | Readable, hasher: Transform, sink: Writable, signal?: AbortSignal): Promise<void> {
  const feed = new PassThrough({ highWaterMark: 1 << 20 });
  // pipe() forwards data and the end; an error or a close before the end fails the write as pipeline would.
  // The listener stays: an error the source emits after the write gave up has nowhere else to go.
  finished(source, { writable: false }, (err) => {
    if (err) feed.destroy(err);
  });
  source.pipe(feed);
  try {
    await pipeline(feed, hasher, sink, signal ? { signal } : {});
  } catch (err) {
    // Without an error: a Readable.from generator is then returned from, not thrown into at its `yield`.
    (source as Readable).destroy?.();
    throw err;
  }
}
