/**
 * The settlement job inside the server: croner fires every day at the
 * configured local time of the business time zone (default 00:05 Asia/Shanghai)
 * and settles every business day that is over and not settled yet (so a day
 * missed while the server was down is caught up, in order). It also runs once
 * at start. Several servers may run it: the settlement lock lets one settle,
 * the others find the day busy or already settled. A failed or busy run is
 * tried again after `retryMinutes`.
 */
import { Cron } from "croner";
import type { Clock } from "../clock/index.ts";
import type { Db } from "../db/index.ts";
import { type SettleOutcome, settleDue } from "./run.ts";

/** Where the scheduler reports (pino's logger fits). */
export interface SchedulerLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** What the scheduler needs. */
export interface SchedulerOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  /** Local time of day HH:MM in `timeZone` (default 00:05). */
  readonly at?: string;
  readonly log: SchedulerLog;
  /** Minutes before a failed run is retried (default 10). */
  readonly retryMinutes?: number;
  /** Run once right away (default true). */
  readonly runAtStart?: boolean;
}

/** A running scheduler. */
export interface SettlementScheduler {
  /** The next time the job fires. */
  nextRun(): Date | null;
  /** Settles every due day now (what each tick does). */
  runNow(): Promise<SettleOutcome[]>;
  stop(): void;
}

/** Reads `HH:MM` (24 h) into a croner pattern "0 M H * * *". */
export function cronPattern(at: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!match) throw new Error(`SETTLEMENT_TIME must be HH:MM (24 h), not ${JSON.stringify(at)}`);
  return `0 ${Number(match[2])} ${Number(match[1])} * * *`;
}

/** Starts the daily settlement job. */
export function startSettlementScheduler(options: SchedulerOptions): SettlementScheduler {
  let running: Promise<SettleOutcome[]> | null = null;
  let retry: NodeJS.Timeout | null = null;
  const retryLater = () => {
    if (retry) clearTimeout(retry);
    retry = setTimeout(() => void runNow(), (options.retryMinutes ?? 10) * 60_000);
    retry.unref();
  };
  const runNow = (): Promise<SettleOutcome[]> => {
    if (running) return running;
    running = (async () => {
      try {
        const outcomes = await settleDue(options.db, {
          now: options.clock.now(),
          timeZone: options.timeZone,
          log: options.log,
        });
        for (const o of outcomes) {
          options.log.info(
            {
              day: o.day,
              status: o.status,
              ...("report" in o && o.report
                ? { durationMs: o.report.durationMs, members: o.report.members, rows: o.report.rows }
                : {}),
              ...("message" in o ? { reason: o.message } : {}),
            },
            o.status === "settled" ? "daily settlement done" : "daily settlement: nothing to do",
          );
        }
        // Another process holds the lock: it may finish, or may have died mid-run; look again later.
        if (outcomes.some((o) => o.status === "busy")) retryLater();
        return outcomes;
      } catch (error) {
        options.log.error(
          { err: error, retryInMinutes: options.retryMinutes ?? 10 },
          "daily settlement failed",
        );
        retryLater();
        return [];
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const job = new Cron(
    cronPattern(options.at ?? "00:05"),
    { timezone: options.timeZone, unref: true },
    () => {
      void runNow();
    },
  );
  if (options.runAtStart ?? true) void runNow();
  return {
    nextRun: () => job.nextRun(),
    runNow,
    stop() {
      job.stop();
      if (retry) clearTimeout(retry);
    },
  };
}
