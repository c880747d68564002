/**
 * Process liveness from /proc, robust to pid reuse: a job records its group leader's pid and
 * start time, and a pid whose start time differs is someone else's process.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T, X, ... */
  state: string;
  pgrp: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot. */
  startTime: number;
}

export const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime).
  return { pid, state: rest[0], pgrp: Number(rest[2]), startTime: Number(rest[19]) };
}

const isLive = (s: ProcStat) => s.state !== 'Z' && s.state !== 'X';

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat && stat.pgrp === pgid && isLive(stat)) members.push(stat.pid);
  }
  return members;
}

/**
 * Is the job started as group leader `pid` (at `startTime`) still running anything? Linux keeps
 * a pid allocated while it names a live process group, so once the leader exits its orphans
 * still count; and a pid that now belongs to a newer process proves the whole group is gone.
 */
export function jobAlive(pid: number, startTime: number | undefined): boolean {
  if (!HAS_PROC) return signalZero(pid);
  const leader = readProcStat(pid);
  if (leader && startTime !== undefined && leader.startTime !== startTime) return false;
  if (leader && isLive(leader)) return true;
  return groupMembers(pid).length > 0;
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Same-host liveness of a plain pid with an optional start time (lock holders). */
export function pidAlive(pid: number, startTime?: number): boolean {
  if (!HAS_PROC) return signalZero(pid);
  const stat = readProcStat(pid);
  if (!stat || !isLive(stat)) return false;
  return startTime === undefined || stat.startTime === startTime;
}
