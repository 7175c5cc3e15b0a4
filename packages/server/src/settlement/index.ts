/** The daily settlement: exactly-once, crash-safe, bulk-written runs of the engine's `settleDay` per business day. */
export { COPY_NULL, CopyChunker, escapeCopy, readCopyRows } from "./copy-text.ts";
export { assertDay, type DayColumns, loadDayColumns, type ProgressFn } from "./load.ts";
export { listRuns, readRun, type SettlementReport, type SettlementRun } from "./report.ts";
export {
  crashHookFromEnv,
  type OpenNextDay,
  openDay,
  pastDayOutcome,
  pendingDeltas,
  type SettleLog,
  type SettleOptions,
  type SettleOutcome,
  settleBusinessDay,
  settleDue,
  settleThrough,
} from "./run.ts";
export {
  type BatchHook,
  countTransactions,
  createDeltaTable,
  deltaTable,
  indexDeltaTable,
  type RowsWritten,
  writeDay,
} from "./write.ts";
