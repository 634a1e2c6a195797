import type { RowPreparerOptions } from '../../run/row-plan.js';

/** Messages between the main thread and a CSV parsing thread; rows travel packed by batch-codec.ts. */

export type ToMain =
  | { type: 'header'; headers: string[]; headerRow: number }
  | { type: 'rows'; rows: string; bytes: number }
  | { type: 'end'; bytes: number }
  | { type: 'error'; error: { input: boolean; file?: string; message: string; details: string[] } };

export type ToThread = { type: 'credit'; n: number } | { type: 'stop' } | { type: 'validate'; options: RowPreparerOptions };
