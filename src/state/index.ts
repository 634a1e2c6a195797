/**
 * Run state, in one place for imports and exports alike: everything that makes a run safe to
 * repeat, interrupt or overlap.
 *
 * - lock.ts, run-lock.ts: one run at a time per pipeline and state folder (exit 3 otherwise);
 * - journal.ts: an import's rows as they are written, so a killed run resumes without doubles;
 * - ledger.ts: follow-ups already posted to an ERP, across runs and files;
 * - watermark.ts: where an incremental export continues;
 * - atomic-file.ts: state files and exports that appear complete or not at all, and the removal of
 *   what killed runs left behind.
 *
 * This layer imports nothing from pipeline/, export/ or commands/: they import it.
 */
export { acquireLock, peekLock, type LockHolder, type LockResult } from './lock.js';
export { takeRunLock, describeCommand, type RunLock } from './run-lock.js';
export { Journal, type JournalEntry, type JournalOutcome, type JournalState } from './journal.js';
export { Ledger, erpIdentity, ledgerPath, type LedgerState } from './ledger.js';
export { exportStatePath, readExportState, writeExportState, type ExportState } from './watermark.js';
export { placeWithoutReplacing, removeDeadTemps, tempPathFor, writeFileAtomic } from './atomic-file.js';
