// CPU time of processes over a measured window, from /proc (Linux): what a
// benchmark charges each process per operation. It survives the machine's
// noise better than throughput does.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS = 100;

/** utime + stime per label and pid; a pid that is gone (or no /proc) is left out. */
export function cpuTicks(pids: Map<string, number[]>): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [label, list] of pids) {
    const perPid = new Map<number, number>();
    for (const pid of list) {
      try {
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        perPid.set(pid, Number(fields[11]) + Number(fields[12]));
      } catch {
        // exited, or not Linux
      }
    }
    out.set(label, perPid);
  }
  return out;
}

/**
 * CPU milliseconds per label between two readings. A pid of the second reading
 * only was born in the window: all of its time counts (a database connection a
 * pool opened meanwhile). A pid that exited before the second reading is not
 * charged (its time is gone from /proc).
 */
export function cpuMs(before: ReturnType<typeof cpuTicks>, after: ReturnType<typeof cpuTicks>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, perPid] of after) {
    let ticks = 0;
    for (const [pid, end] of perPid) ticks += end - (before.get(label)?.get(pid) ?? 0);
    out[label] = (ticks * 1000) / CLOCK_TICKS;
  }
  return out;
}

/** Pids whose command name (/proc/<pid>/comm) is `name`: all of a server's processes, PostgreSQL's backends included. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // not Linux
  }
  return pids;
}

/** The whole machine's busy and total CPU ticks so far, all cores (/proc/stat); undefined without /proc. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return undefined;
  }
}

/** Busy share of the machine between two readings, in cores (2 = both cores of a 2-core machine full). */
export function machineCores(before: ReturnType<typeof machineTicks>, after: ReturnType<typeof machineTicks>, cores: number): number | undefined {
  if (!before || !after || after.total === before.total) return undefined;
  return ((after.busy - before.busy) / (after.total - before.total)) * cores;
}
