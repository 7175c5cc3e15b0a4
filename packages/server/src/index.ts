/** @jifen/server — the HTTP server: one public surface for tests, the CLI and the engine wiring. */
export { type BuildAppOptions, buildApp, ensureSecret, loggerOptions } from "./app.ts";
export { DEFAULT_PASSWORD_OPTIONS, type PasswordOptions } from "./auth/passwords.ts";
export {
  type BackupManifest,
  inspectBackup,
  type RestoreResult,
  restoreBackup,
  writeBackup,
} from "./backup/index.ts";
export { addDays, businessDay, type Clock, ManualClock, systemClock } from "./clock/index.ts";
export { addConfigVersion, configForDay, type EffectiveConfig, type ServerParams } from "./config/index.ts";
export * from "./db/index.ts";
export { DEMO_PASSWORD, type DemoDataOptions, type DemoDataResult, generateDemoData } from "./demo/index.ts";
export { AppError, type AppErrorCode, CATALOGUE, type ErrorBody, fail } from "./errors/index.ts";
export type { App, AppContext } from "./http/context.ts";
export {
  appendTransaction,
  type LedgerEntry,
  LoadedBalances,
  lockBalances,
  memberWallets,
  ServerAccount,
} from "./ledger/index.ts";
export { teamSummary } from "./members/index.ts";
export {
  type Difference,
  formatReconciliation,
  type Reconciliation,
  readStatement,
  reconcileDay,
} from "./reconcile/index.ts";
export {
  ensureRewardClock,
  type HookContext,
  NO_REWARD_HOOKS,
  type PaidOrder,
  type RewardHooks,
} from "./rewards/index.ts";
export { seed } from "./seed.ts";
export { loadSettings, type Settings } from "./settings.ts";
export {
  listRuns,
  openDay,
  type ProgressFn,
  readRun,
  type SettlementReport,
  type SettlementRun,
  type SettleOptions,
  type SettleOutcome,
  settleBusinessDay,
  settleDue,
  settleThrough,
} from "./settlement/index.ts";
export { type SettlementScheduler, startSettlementScheduler } from "./settlement/scheduler.ts";
export {
  markPaid,
  markRefunded,
  type Order,
  signWebhook,
} from "./shop/index.ts";
export * from "./sms/index.ts";
export {
  formatVerifyReport,
  type VerifyCheck,
  type VerifyDifference,
  type VerifyOptions,
  type VerifyResult,
  verifyLedger,
} from "./verify/index.ts";
