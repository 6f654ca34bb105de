/** CPU seconds a process has used so far (user + system, all its threads), from /proc; undefined where there is none. */
import { procStatFields } from '../infra/proc-stat';

const TICKS_PER_SECOND = 100;

export function processCpuSeconds(pid: number): number | undefined {
  const fields = procStatFields(pid);
  // utime and stime: fields 14 and 15 of the file.
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : undefined;
}

/** Runs `step` and returns its wall seconds with the CPU seconds `pid` used meanwhile. */
export async function timedWithCpu(pid: number, step: () => Promise<unknown>): Promise<{ seconds: number; cpuSeconds?: number }> {
  const cpuBefore = processCpuSeconds(pid);
  const started = Date.now();
  await step();
  const seconds = (Date.now() - started) / 1000;
  const cpuAfter = processCpuSeconds(pid);
  return { seconds, cpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined };
}
