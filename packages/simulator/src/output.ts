/**
 * The files a simulation writes: the daily series as CSV and JSON, with the
 * compared parameter set's columns beside the first's. Deterministic: no
 * time stamp or path goes in, so the same plan and seed give the same bytes.
 */
import type { DayRow } from "./metrics.ts";
import type { SimulationResult } from "./simulate.ts";

/** The CSV columns of a row, in order; cycle pools become `cyclePool:<name>` columns. */
export function rowColumns(rows: readonly DayRow[], more: readonly DayRow[] = []): string[] {
  const first = rows[0];
  if (!first) return [];
  const base = Object.keys(first).filter((k) => k !== "cyclePools");
  const pools = new Set<string>();
  for (const r of [...rows, ...more]) for (const name of Object.keys(r.cyclePools)) pools.add(name);
  return [...base, ...[...pools].map((name) => `cyclePool:${name}`)];
}

/** A row's value for a column (pool funding "0" when the pool is absent). */
export function cell(row: DayRow | undefined, column: string): string {
  if (!row) return "";
  if (column.startsWith("cyclePool:")) return row.cyclePools[column.slice("cyclePool:".length)] ?? "0";
  return String((row as unknown as Record<string, unknown>)[column]);
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The daily series as CSV; with a comparison, each column is followed by `<column>.compare`. */
export function toCsv(result: SimulationResult): string {
  const a = result.primary.rows;
  const b = result.compare?.rows;
  const columns = rowColumns(a, b ?? []);
  const header = b ? columns.flatMap((c) => (c === "day" ? [c] : [c, `${c}.compare`])) : columns;
  const lines = [header.map(csvField).join(",")];
  a.forEach((row, i) => {
    const values = columns.flatMap((c) =>
      b && c !== "day" ? [cell(row, c), cell(b[i], c)] : [cell(row, c)],
    );
    lines.push(values.map(csvField).join(","));
  });
  return `${lines.join("\n")}\n`;
}

/** Everything as one JSON document. */
export function toJson(result: SimulationResult): string {
  const out = {
    seed: result.seed,
    days: result.days,
    primary: result.primary,
    ...(result.compare ? { compare: result.compare } : {}),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The generated events as a replay scenario (/work/shared/spec/replay.md) under the first parameter set. */
export function toScenario(result: SimulationResult): string {
  return `${JSON.stringify({ config: result.params, events: result.events ?? [] }, null, 1)}\n`;
}
