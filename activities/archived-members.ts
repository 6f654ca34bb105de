import { manifestPath } from '../contract/asset-paths';
import type { WithdrawableList } from '../contract/withdrawals';
import { ObjectNotFoundError, type Destination } from '../storage';
import type { Manifest } from '../contract/manifest-types';

/** Objects and bytes one archived session (or reel) holds. */
export interface MemberHoldings {
  objects: number;
  bytes: number;
}

/**
 * The sessions and reels the archive holds, from the test's last `manifest.json` (one read, not a
 * listing of every object, which costs a request per object on s3://). Sessions archived since it
 * was written were listed by the run that archived them, so none of them can be withdrawn yet.
 */
export async function archivedMembers(destination: Destination, testId: string): Promise<Record<WithdrawableList, Map<string, MemberHoldings>>> {
  const members = { sessions: new Map<string, MemberHoldings>(), reels: new Map<string, MemberHoldings>() };
  const manifest = await readJsonObject<Manifest>(destination, manifestPath(testId));
  for (const asset of manifest?.assets ?? []) {
    const entry = asset.sessionId
      ? { list: members.sessions, id: asset.sessionId }
      : asset.kind === 'reel' && asset.reelId
        ? { list: members.reels, id: asset.reelId }
        : undefined;
    if (!entry) continue;
    const id = entry.id.toLowerCase();
    const holdings = entry.list.get(id) ?? { objects: 0, bytes: 0 };
    if (typeof asset.bytes === 'number') {
      holdings.objects += 1;
      holdings.bytes += asset.bytes;
    }
    entry.list.set(id, holdings);
  }
  return members;
}

/** A small JSON object's content; undefined when there is none or it is not JSON. */
export async function readJsonObject<T>(destination: Destination, relativePath: string): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of destination.readObject(relativePath)) chunks.push(chunk as Buffer);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
