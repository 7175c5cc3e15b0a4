/**
 * bench:settle --live: where the time of a slow payment goes (issue 17). Every
 * `intervalMs` it samples, from a connection of its own, `pg_stat_activity` of
 * the bench database (state, wait event, statement of every backend, by
 * `application_name`: the payments connect as `bench_payment`, the settlement
 * as `bench_settle`) and, for each of those backends, the kernel's scheduler
 * figures (`/proc/<pid>/schedstat`: ns on a CPU, ns runnable but waiting for
 * one) — PostgreSQL runs on this machine, so the backends' pids are ours to
 * read. Also the machine's pressure stall figures (`/proc/pressure/cpu|io`,
 * where the kernel has them) and the cluster's WAL / checkpoint counters
 * (`pg_stat_wal`, `pg_stat_bgwriter`: the whole server, other databases too).
 *
 * A backend sampled `active` with no wait event is on a CPU or waiting for one
 * (schedstat tells which); `idle in transaction` is waiting for its client.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import pg from "pg";

/** One backend at one sample. */
interface BackendSample {
  readonly pid: number;
  readonly app: string;
  /** `state` plus the wait event, e.g. `active`, `active IO:WALSync`, `idle in transaction`. */
  readonly what: string;
  readonly query: string;
  /** The backend's scheduler figures when sampled (null where /proc cannot be read). */
  readonly sched: Sched | null;
}

interface Sample {
  readonly at: number;
  readonly backends: BackendSample[];
}

/** A thread's or process's scheduler figures: ns on a CPU, ns runnable waiting for one. */
export interface Sched {
  readonly cpuNs: number;
  readonly waitNs: number;
}

/** `/proc/<path>/schedstat` (a process `123` or a thread `123/task/456`), or null where unreadable. */
export function readSched(path: string): Sched | null {
  try {
    const [cpu, wait] = readFileSync(`/proc/${path}/schedstat`, "utf8").trim().split(/\s+/);
    return { cpuNs: Number(cpu), waitNs: Number(wait) };
  } catch {
    return null;
  }
}

/** The calling thread's `/proc` path (`<pid>/task/<tid>`), or null off Linux. */
export function threadPath(): string | null {
  try {
    // `/proc/thread-self` links to `<pid>/task/<tid>` of the thread reading it.
    return readlinkSync("/proc/thread-self");
  } catch {
    return null;
  }
}

/** Every thread of this process: its tid and scheduler figures. */
export function threadScheds(): Map<number, Sched> {
  const out = new Map<number, Sched>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const s = readSched(`self/task/${tid}`);
      if (s) out.set(Number(tid), s);
    }
  } catch {
    // not Linux
  }
  return out;
}

/** The cumulative "some" stall (µs) of `/proc/pressure/<kind>`, or null. */
function pressure(kind: "cpu" | "io"): number | null {
  try {
    const some = readFileSync(`/proc/pressure/${kind}`, "utf8").split("\n")[0] ?? "";
    return Number(/total=(\d+)/.exec(some)?.[1] ?? Number.NaN);
  } catch {
    return null;
  }
}

/** Cluster counters of WAL and checkpoints at one moment. */
export interface ServerCounters {
  readonly at: number;
  readonly walRecords: number;
  readonly walFpi: number;
  readonly walBytes: number;
  readonly walBuffersFull: number;
  readonly walWrite: number;
  readonly walSync: number;
  readonly checkpointsTimed: number;
  readonly checkpointsReq: number;
  readonly buffersCheckpoint: number;
  readonly buffersClean: number;
  readonly buffersBackend: number;
  readonly buffersBackendFsync: number;
  /** Machine-wide CPU and I/O pressure stall, µs (null where the kernel has none). */
  readonly cpuStallUs: number | null;
  readonly ioStallUs: number | null;
}

const COUNTERS = `
select w.wal_records::float8 as wal_records, w.wal_fpi::float8 as wal_fpi, w.wal_bytes::float8 as wal_bytes,
  w.wal_buffers_full::float8 as wal_buffers_full, w.wal_write::float8 as wal_write, w.wal_sync::float8 as wal_sync,
  b.checkpoints_timed::float8 as checkpoints_timed, b.checkpoints_req::float8 as checkpoints_req,
  b.buffers_checkpoint::float8 as buffers_checkpoint, b.buffers_clean::float8 as buffers_clean,
  b.buffers_backend::float8 as buffers_backend, b.buffers_backend_fsync::float8 as buffers_backend_fsync
from pg_stat_wal w, pg_stat_bgwriter b`;

/** Reads the cluster's counters (on `client`). */
export async function serverCounters(client: pg.Client): Promise<ServerCounters> {
  const r = (await client.query(COUNTERS)).rows[0] as Record<string, number>;
  return {
    at: Date.now(),
    walRecords: r.wal_records ?? 0,
    walFpi: r.wal_fpi ?? 0,
    walBytes: r.wal_bytes ?? 0,
    walBuffersFull: r.wal_buffers_full ?? 0,
    walWrite: r.wal_write ?? 0,
    walSync: r.wal_sync ?? 0,
    checkpointsTimed: r.checkpoints_timed ?? 0,
    checkpointsReq: r.checkpoints_req ?? 0,
    buffersCheckpoint: r.buffers_checkpoint ?? 0,
    buffersClean: r.buffers_clean ?? 0,
    buffersBackend: r.buffers_backend ?? 0,
    buffersBackendFsync: r.buffers_backend_fsync ?? 0,
    cpuStallUs: pressure("cpu"),
    ioStallUs: pressure("io"),
  };
}

/** What changed between two readings of the counters, per second of the interval, as one line. */
export function countersLine(a: ServerCounters, b: ServerCounters): string {
  const s = Math.max(0.001, (b.at - a.at) / 1000);
  const per = (x: number) => (x / s).toFixed(1);
  const stall = (x: number | null, y: number | null) =>
    x === null || y === null ? "n/a" : `${(((y - x) / 1e6 / s) * 100).toFixed(0)}%`;
  return (
    `${s.toFixed(1)} s: WAL ${((b.walBytes - a.walBytes) / 1024 ** 2).toFixed(1)} MiB (${per(
      (b.walBytes - a.walBytes) / 1024 ** 2,
    )} MiB/s), ${b.walRecords - a.walRecords} records, ${b.walFpi - a.walFpi} full-page images, ` +
    `wal_buffers full ${b.walBuffersFull - a.walBuffersFull}, writes ${b.walWrite - a.walWrite}, syncs ${
      b.walSync - a.walSync
    }; checkpoints ${b.checkpointsTimed - a.checkpointsTimed} timed + ${b.checkpointsReq - a.checkpointsReq} requested, ` +
    `buffers written by checkpoint ${b.buffersCheckpoint - a.buffersCheckpoint} / bgwriter ${
      b.buffersClean - a.buffersClean
    } / backends ${b.buffersBackend - a.buffersBackend} (fsyncs ${b.buffersBackendFsync - a.buffersBackendFsync}); ` +
    `pressure stall (some) cpu ${stall(a.cpuStallUs, b.cpuStallUs)}, io ${stall(a.ioStallUs, b.ioStallUs)}`
  );
}

const ACTIVITY = `
select pid, application_name as app, state, wait_event_type, wait_event,
  left(regexp_replace(query, '\\s+', ' ', 'g'), 70) as query
from pg_stat_activity
where datname = current_database() and pid <> pg_backend_pid() and application_name like 'bench_%'`;

/** A sampler of the bench database's backends. */
export interface ActivityWatch {
  /** The samples of `pid` between `from` and `to` (Date.now() ms), counted by what the backend did. */
  during(pid: number, from: number, to: number): Map<string, number>;
  /** The samples of every backend of `app` between `from` and `to`, counted by what it did (and statement). */
  byApp(app: string, from: number, to: number, withQuery?: boolean): Map<string, number>;
  /** ms on a CPU and ms runnable waiting for one, summed over the backends of `app`, between `from` and `to`. */
  schedByApp(app: string, from: number, to: number): { cpuMs: number; waitMs: number; backends: number };
  stop(): Promise<void>;
}

/** Starts sampling every `intervalMs` (50 by default). */
export async function watchActivity(connectionString: string, intervalMs = 50): Promise<ActivityWatch> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const rows = (await client.query(ACTIVITY)).rows as {
          pid: number;
          app: string;
          state: string | null;
          wait_event_type: string | null;
          wait_event: string | null;
          query: string;
        }[];
        samples.push({
          at,
          backends: rows.map((r) => ({
            pid: r.pid,
            app: r.app,
            what: `${r.state ?? "?"}${r.wait_event_type ? ` ${r.wait_event_type}:${r.wait_event}` : ""}`,
            query: r.query,
            sched: readSched(String(r.pid)),
          })),
        });
      } catch {
        // a sample lost (the server busy): the next one counts
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - at))));
    }
  })();
  const count = (
    keep: (b: BackendSample) => boolean,
    from: number,
    to: number,
    key: (b: BackendSample) => string,
  ) => {
    const counts = new Map<string, number>();
    for (const s of samples) {
      if (s.at < from || s.at > to) continue;
      for (const b of s.backends) if (keep(b)) counts.set(key(b), (counts.get(key(b)) ?? 0) + 1);
    }
    return counts;
  };
  return {
    during: (pid, from, to) =>
      count(
        (b) => b.pid === pid,
        from,
        to,
        (b) => b.what,
      ),
    byApp: (app, from, to, withQuery = false) =>
      count(
        (b) => b.app === app && b.what !== "idle",
        from,
        to,
        (b) => (withQuery ? `${b.what} — ${b.query}` : b.what),
      ),
    schedByApp(app, from, to) {
      const first = new Map<number, Sched>();
      const last = new Map<number, Sched>();
      for (const s of samples) {
        if (s.at < from || s.at > to) continue;
        for (const b of s.backends) {
          if (b.app !== app || b.sched === null) continue;
          if (!first.has(b.pid)) first.set(b.pid, b.sched);
          last.set(b.pid, b.sched);
        }
      }
      let cpuNs = 0;
      let waitNs = 0;
      for (const [pid, a] of first) {
        const b = last.get(pid) ?? a;
        cpuNs += b.cpuNs - a.cpuNs;
        waitNs += b.waitNs - a.waitNs;
      }
      return { cpuMs: cpuNs / 1e6, waitMs: waitNs / 1e6, backends: first.size };
    },
    async stop() {
      running = false;
      await loop;
      await client.end();
    },
  };
}

/** Counts as "what n (p%)" sorted, most first. */
export function formatCounts(counts: Map<string, number>, max = 8): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return "(no sample)";
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([k, n]) => `${k} ${n} (${((100 * n) / total).toFixed(0)}%)`)
    .join("; ");
}
