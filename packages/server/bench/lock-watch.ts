/**
 * Samples PostgreSQL's lock waits while something runs (issue 17: which
 * statement of the settlement holds what a payment waits for). Every
 * `intervalMs` it reads `pg_stat_activity` and `pg_locks` of the database:
 * each session waiting on a heavyweight lock, what it wants (`pg_locks`,
 * granted = false), for how long, and each of its blockers
 * (`pg_blocking_pids`) with the blocker's current statement, its
 * transaction's age and the locks it holds on the same object. A wait is
 * kept once per (pid, statement start), at its longest.
 */
import pg from "pg";

/** One lock wait as last sampled. */
export interface LockWait {
  readonly pid: number;
  /** How long the waiting statement had run when last sampled (ms). */
  waitedMs: number;
  readonly query: string;
  readonly wants: string;
  blockers: string;
}

const SAMPLE = `
select w.pid, (extract(epoch from now() - w.query_start) * 1000)::float8 as waited_ms,
  w.query_start::text as started, left(regexp_replace(w.query, '\\s+', ' ', 'g'), 240) as query,
  (select string_agg(l.locktype || ' ' || coalesce(l.relation::regclass::text, l.transactionid::text,
     l.virtualxid, l.classid::text || '/' || l.objid::text, '?') || ' ' || l.mode, '; ')
   from pg_locks l where l.pid = w.pid and not l.granted) as wants,
  (select string_agg(format('pid %s (%s, transaction %s s old) running: %s — holds %s', b.pid, b.state,
       round(extract(epoch from now() - b.xact_start)::numeric, 1),
       left(regexp_replace(b.query, '\\s+', ' ', 'g'), 240),
       coalesce((select string_agg(h.locktype || ' ' || coalesce(h.relation::regclass::text,
           h.transactionid::text, h.virtualxid, '?') || ' ' || h.mode, ', ')
         from pg_locks h join pg_locks l on l.pid = w.pid and not l.granted
           and h.locktype = l.locktype and h.relation is not distinct from l.relation
           and h.transactionid is not distinct from l.transactionid
           and h.virtualxid is not distinct from l.virtualxid
           and h.classid is not distinct from l.classid and h.objid is not distinct from l.objid
         where h.pid = b.pid and h.granted), 'nothing granted on it (queued ahead)')), ' | ')
   from unnest(pg_blocking_pids(w.pid)) as bp(pid) join pg_stat_activity b on b.pid = bp.pid) as blockers
from pg_stat_activity w
where w.datname = current_database() and w.wait_event_type = 'Lock' and w.pid <> pg_backend_pid()`;

/** Starts sampling; `stop()` ends it and returns the waits of at least `minMs`, longest first. */
export async function watchLocks(
  connectionString: string,
  options: { intervalMs?: number; minMs?: number } = {},
): Promise<{ stop: () => Promise<LockWait[]> }> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const waits = new Map<string, LockWait>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const rows = await client.query<{
          pid: number;
          waited_ms: number;
          started: string;
          query: string;
          wants: string | null;
          blockers: string | null;
        }>(SAMPLE);
        for (const r of rows.rows) {
          const key = `${r.pid} ${r.started}`;
          const seen = waits.get(key);
          if (seen) {
            seen.waitedMs = Math.max(seen.waitedMs, r.waited_ms);
            if (r.blockers) seen.blockers = r.blockers;
          } else
            waits.set(key, {
              pid: r.pid,
              waitedMs: r.waited_ms,
              query: r.query,
              wants: r.wants ?? "?",
              blockers: r.blockers ?? "?",
            });
        }
      } catch {
        // A relation dropped between the two reads of the catalogue: the next sample sees it gone.
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      return [...waits.values()]
        .filter((w) => w.waitedMs >= (options.minMs ?? 0))
        .sort((a, b) => b.waitedMs - a.waitedMs);
    },
  };
}

/** The waits as lines for a log. */
export function formatWaits(waits: readonly LockWait[], max = 20): string {
  if (waits.length === 0) return "  (no lock wait sampled)";
  return waits
    .slice(0, max)
    .map(
      (w) =>
        `  ${w.waitedMs.toFixed(0)} ms pid ${w.pid}: ${w.query}\n    wants ${w.wants}\n    blocked by ${w.blockers}`,
    )
    .join("\n");
}
