/** The shop's equity writer: member equity commands queued, applied in order in memory, committed in batches (issue 14). */
export {
  type CommandView,
  isLocalOrder,
  type NewOrder,
  type OrderContext,
  type RefundContext,
} from "./batch-store.ts";
export {
  DEFAULT_LEASE_SETTINGS,
  isNotLeader,
  type LeaseSettings,
  type LeaseView,
  WriterLease,
} from "./lease.ts";
export { FORWARDED_HEADER, viaWriter } from "./route.ts";
export {
  type BatchContext,
  type BatchTimes,
  DEFAULT_WRITER_SETTINGS,
  EquityWriter,
  type RunFacts,
  type RunLoader,
  type WriterAnswer,
  type WriterJob,
  type WriterLog,
  type WriterSettings,
  type WriterStats,
} from "./writer.ts";
