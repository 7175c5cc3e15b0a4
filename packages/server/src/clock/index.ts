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

/** True when `timeZone` is a time zone name this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}
