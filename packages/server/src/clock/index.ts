/** Where the server reads the time: injectable so tests can move it. */
export interface Clock {
  now(): Date;
}

/** The real time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to (tests). */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = "2026-01-05T02:00:00.000Z") {
    this.current = new Date(start).getTime();
  }
  /** The clock's current time. */
  now(): Date {
    return new Date(this.current);
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Sets the clock to `at`. */
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The business day (YYYY-MM-DD) that instant `at` falls on in time zone `timeZone`. */
export function businessDay(at: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format.format(at);
}

/** The day `days` after the YYYY-MM-DD day `day`. */
export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00.000Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** The instant business day `day` (YYYY-MM-DD) begins in time zone `timeZone` (its local midnight). */
export function dayStart(day: string, timeZone: string): Date {
  const wall = Date.parse(`${day}T00:00:00.000Z`);
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  // The zone's offset at `at`: its wall-clock reading taken as UTC, minus `at`.
  const offset = (at: number) => {
    const v: Record<string, number> = {};
    for (const p of parts.formatToParts(at)) v[p.type] = Number(p.value);
    const n = (k: string) => v[k] ?? 0;
    return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - at;
  };
  // Two rounds settle the offset across a change of daylight saving time.
  let at = wall - offset(wall);
  at = wall - offset(at);
  return new Date(at);
}

/** True when `timeZone` is a time zone name this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}
