/** Backups and restores of the whole database in one portable file (docs/server.md, "Backups"). */
export { BACKUP_FORMAT_VERSION, type BackupManifest } from "./format.ts";
export { type BackupContents, inspectBackup } from "./read.ts";
export { type RestoreOptions, type RestoreResult, restoreBackup } from "./restore.ts";
export {
  type BackupLog,
  type BackupRunView,
  type BackupService,
  type BackupSettings,
  backupCron,
  createBackupService,
} from "./service.ts";
export { type WriteBackupOptions, writeBackup } from "./write.ts";
