/**
 * The equity writer's lease (issue 14): when several server processes run on
 * one PostgreSQL, exactly one of them writes the writer's batches.
 *
 * The lease is the row `writer_lease` ('equity'). A process holds it with an
 * epoch: taking it over adds one to the epoch. Every batch transaction of the
 * writer first reads the row FOR KEY SHARE (`fence`) and is refused
 * (WRITER_NOT_LEADER, nothing written) unless the epoch is the one its
 * process took. A takeover locks the row FOR UPDATE, which waits for the
 * batch in flight, and a batch that starts after it sees the new epoch: so no
 * batch of an old holder commits after another process took over, even when
 * the old one was only paused (a GC stall, SIGSTOP, a slow disk) and resumes.
 * The holder's renewals touch only `expires_at` (FOR NO KEY UPDATE): they do
 * not wait for its own batches.
 *
 * Each process keeps one dedicated connection (the heartbeat) and every
 * `tickMs`: the holder renews `expires_at` (now + `ttlMs`); the others take
 * over when the holder's heartbeat session is gone from pg_stat_activity (the
 * process died: its socket closed) — at once, within a tick — or when the
 * lease expired (the holder is alive but stopped renewing). The batch
 * transaction sets idle_in_transaction_session_timeout to `ttlMs`, so a holder
 * paused inside a batch loses that transaction and does not keep the takeover
 * waiting for ever.
 *
 * PGlite is one process: the lease there is trivially held and no lease is
 * made (app.ts passes none, the writer writes unfenced).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Db, Tx } from "../db/index.ts";
import { AppError } from "../errors/index.ts";

/** Where the lease reports what happens to it (pino's logger fits). */
export interface LeaseLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** How the lease is held. */
export interface LeaseSettings {
  /** The lease runs out this long after the holder's last renewal (ms). */
  readonly ttlMs: number;
  /** Renewals and takeover checks this often (ms). */
  readonly tickMs: number;
  /** A command on a process that is not the writer waits at most this long for one to answer (ms). */
  readonly forwardWaitMs: number;
}

export const DEFAULT_LEASE_SETTINGS: LeaseSettings = { ttlMs: 5000, tickMs: 250, forwardWaitMs: 15_000 };

/** Who writes now, as this process last read it. */
export interface LeaseView {
  readonly epoch: string;
  readonly holder: string | null;
  readonly address: string | null;
}

/** The error a fenced batch, or a command forwarded to a process that is not the writer, is refused with. */
export function isNotLeader(error: unknown): boolean {
  return (
    error instanceof AppError && (error.code === "WRITER_NOT_LEADER" || error.code === "WRITER_STOPPING")
  );
}

/** The writer's lease of one process. */
export class WriterLease {
  /** This process's name in the lease row. */
  readonly id = randomUUID();
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private address = "";
  private log: LeaseLog = { error() {}, warn() {} };
  /** The epoch this process holds (null: not the writer). */
  private held: string | null = null;
  private view: LeaseView = { epoch: "0", holder: null, address: null };
  /** Aborted when the holder read changes (a forward to the old holder is given up then). */
  private moved = new AbortController();
  /** Counters for tests and /metrics. */
  readonly stats = { takeovers: 0, lost: 0, fenced: 0 };

  constructor(
    private readonly db: Db & { readonly pool?: pg.Pool },
    readonly settings: LeaseSettings = DEFAULT_LEASE_SETTINGS,
    private readonly name = "equity",
  ) {}

  /** Starts holding or watching the lease; `address` is where the others reach this process. */
  async start(address: string, log?: LeaseLog): Promise<void> {
    if (this.db.driver !== "pg" || !this.db.pool)
      throw new Error("the writer lease is for PostgreSQL: on PGlite one process holds the database");
    this.address = address;
    if (log) this.log = log;
    await this.tick();
    this.schedule();
  }

  /** Stops; the holder gives the lease up (expired at once), so another process takes over within a tick. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const held = this.held;
    this.held = null;
    try {
      if (held !== null)
        await this.client?.query(
          "update writer_lease set expires_at = '-infinity', holder_pid = null where name = $1 and epoch = $2",
          [this.name, held],
        );
    } catch (error) {
      this.log.warn({ err: error }, "writer lease: could not give the lease up (it runs out by itself)");
    }
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  /** True while this process holds the lease (as of its last tick or batch). */
  isLeader(): boolean {
    return this.held !== null;
  }

  /** The holder as last read. */
  current(): LeaseView {
    return this.view;
  }

  /** Aborts once the holder changes from the one read now. */
  changed(): AbortSignal {
    return this.moved.signal;
  }

  private see(view: LeaseView): void {
    if (view.epoch !== this.view.epoch || view.holder !== this.view.holder) {
      this.moved.abort();
      this.moved = new AbortController();
    }
    this.view = view;
  }

  /** Reads the lease row again (a forward failed: the writer may have changed). */
  async refresh(): Promise<LeaseView> {
    const row = await this.db.query<{ epoch: string; holder: string | null; address: string | null }>(
      "select epoch::text as epoch, holder, address from writer_lease where name = $1",
      [this.name],
    );
    const found = row.rows[0];
    if (found) {
      this.see(found);
      if (this.held !== null && found.epoch !== this.held) this.lose("another process took the lease");
    }
    return this.view;
  }

  /**
   * The first statement of every batch transaction: refused unless this
   * process holds the lease at the epoch in the row (locked FOR KEY SHARE
   * until the batch commits, so no takeover commits in between).
   */
  async fence(tx: Tx): Promise<void> {
    const held = this.held;
    if (held === null) throw new AppError("WRITER_NOT_LEADER");
    const row = await tx.query<{ epoch: string }>(
      `select l.epoch::text as epoch, set_config('idle_in_transaction_session_timeout', $2, true)
       from writer_lease l where l.name = $1 for key share`,
      [this.name, String(this.settings.ttlMs)],
    );
    if (row.rows[0]?.epoch !== held) {
      this.stats.fenced++;
      this.lose("a batch found another epoch");
      throw new AppError("WRITER_NOT_LEADER");
    }
  }

  /**
   * `db` for the writer: every transaction starts with the fence. A
   * transaction that fails before its COMMIT while the lease moved (a holder
   * paused in a batch loses its connection) is refused as WRITER_NOT_LEADER
   * too: nothing of it was written.
   */
  fenced(db: Db): Db {
    return {
      driver: db.driver,
      connections: db.connections,
      query: (sql, params) => db.query(sql, params),
      exec: (sql) => db.exec(sql),
      close: () => db.close(),
      transaction: async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
        let committing = false;
        try {
          return await db.transaction(async (tx) => {
            await this.fence(tx);
            const result = await fn(tx);
            committing = true;
            return result;
          });
        } catch (error) {
          if (!committing && !isNotLeader(error) && (await this.movedAway())) {
            this.log.warn({ err: error }, "writer batch failed as the lease moved: nothing written");
            throw new AppError("WRITER_NOT_LEADER");
          }
          throw error;
        }
      },
    };
  }

  /** True when the row no longer names this process's epoch (a failed read counts as not moved). */
  private async movedAway(): Promise<boolean> {
    const held = this.held;
    try {
      const view = await this.refresh();
      return held === null || view.epoch !== held;
    } catch {
      return false;
    }
  }

  private lose(why: string): void {
    if (this.held === null) return;
    this.held = null;
    this.stats.lost++;
    this.log.warn({ why }, "writer lease lost: this process forwards equity commands to the writer");
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule();
      });
    }, this.settings.tickMs);
  }

  /** One renewal or takeover check on the heartbeat connection; a failure leaves this process a follower. */
  private async tick(): Promise<void> {
    try {
      const client = await this.connection();
      if (this.held !== null) await this.renew(client);
      else await this.tryTakeOver(client);
    } catch (error) {
      this.lose("the heartbeat connection failed");
      this.log.warn({ err: error }, "writer lease: heartbeat failed");
      const client = this.client;
      this.client = null;
      await client?.end().catch(() => {});
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const pool = this.db.pool;
    if (!pool) throw new Error("the writer lease needs PostgreSQL");
    const client = new pg.Client({
      ...pool.options,
      application_name: `jifen writer lease ${this.id.slice(0, 8)}`,
    });
    client.on("error", () => {}); // a dropped connection fails the next tick
    await client.connect();
    this.client = client;
    return client;
  }

  private async renew(client: pg.Client): Promise<void> {
    const renewed = await client.query(
      `update writer_lease set expires_at = clock_timestamp() + $3 * interval '1 millisecond'
       where name = $1 and epoch = $2 and holder = $4 returning epoch::text as epoch`,
      [this.name, this.held, this.settings.ttlMs, this.id],
    );
    if (renewed.rowCount === 0) this.lose("the lease row names another holder");
    await this.readView(client);
  }

  /** Takes the lease when nobody holds it, its holder's heartbeat session is gone, or it ran out. */
  private async tryTakeOver(client: pg.Client): Promise<void> {
    // Looked at without a lock first: a tick of a follower does not queue behind the writer's batches.
    if (await this.free(client, "")) {
      await client.query("begin");
      try {
        // FOR UPDATE waits for the batch in flight (FOR KEY SHARE); the checks run again after it.
        if (await this.free(client, "for update")) {
          const taken = await client.query<{ epoch: string }>(
            `update writer_lease set epoch = epoch + 1, holder = $2, address = $3, holder_pid = pg_backend_pid(),
               holder_started = (select backend_start from pg_stat_activity where pid = pg_backend_pid()),
               expires_at = clock_timestamp() + $4 * interval '1 millisecond'
             where name = $1 returning epoch::text as epoch`,
            [this.name, this.id, this.address, this.settings.ttlMs],
          );
          await client.query("commit");
          this.held = taken.rows[0]?.epoch ?? null;
          this.stats.takeovers++;
          this.log.warn(
            { epoch: this.held, address: this.address },
            "writer lease taken: this process writes",
          );
        } else await client.query("commit");
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      }
    }
    await this.readView(client);
  }

  /**
   * Whether the lease may be taken: nobody holds it, it ran out, or the holder's heartbeat session
   * is gone (its pid with its start; a start the role may not see counts as the same session).
   */
  private async free(client: pg.Client, lock: "" | "for update"): Promise<boolean> {
    const row = await client.query<{ free: boolean }>(
      `select (l.holder is null or l.expires_at < clock_timestamp() or not exists (
         select 1 from pg_stat_activity a where a.pid = l.holder_pid
           and (a.backend_start is null or a.backend_start = l.holder_started))) as free
       from writer_lease l where l.name = $1 ${lock}`,
      [this.name],
    );
    return row.rows[0]?.free === true;
  }

  private async readView(client: pg.Client): Promise<void> {
    const row = await client.query<LeaseView>(
      "select epoch::text as epoch, holder, address from writer_lease where name = $1",
      [this.name],
    );
    if (row.rows[0]) this.see(row.rows[0]);
  }
}
