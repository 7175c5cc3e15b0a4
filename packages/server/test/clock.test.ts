/** The business clock: the instant a business day begins in its time zone. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { businessDay, dayStart } from "../src/clock/index.ts";

test("dayStart is the local midnight of the day, across zones and daylight saving changes", () => {
  const cases: [string, string, string][] = [
    ["2026-11-29", "Asia/Shanghai", "2026-11-28T16:00:00.000Z"],
    ["2026-01-01", "UTC", "2026-01-01T00:00:00.000Z"],
    ["2026-03-08", "America/New_York", "2026-03-08T05:00:00.000Z"], // DST starts at 02:00 that day
    ["2026-03-09", "America/New_York", "2026-03-09T04:00:00.000Z"],
    ["2026-11-01", "America/New_York", "2026-11-01T04:00:00.000Z"], // DST ends at 02:00 that day
    ["2026-11-02", "America/New_York", "2026-11-02T05:00:00.000Z"],
    ["2026-07-01", "Asia/Kolkata", "2026-06-30T18:30:00.000Z"],
  ];
  for (const [day, zone, expected] of cases) {
    const start = dayStart(day, zone);
    assert.equal(start.toISOString(), expected, `${day} ${zone}`);
    assert.equal(businessDay(start, zone), day);
    assert.notEqual(
      businessDay(new Date(start.getTime() - 1), zone),
      day,
      "one ms earlier is the day before",
    );
  }
});
