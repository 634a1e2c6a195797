/**
 * What a row preparer is told: the mapped columns and the rules for their values. Plain data, so
 * the CSV parsing thread can be given it too (src/sources/csv/parse-thread.ts) and validate rows
 * there; a module of its own so that the readers can name it without importing the run.
 */
import type { FieldSpec } from '../catalog/types.js';

export interface MappedColumn {
  /** Catalog field id. */
  field: string;
  /** 0-based column index, or -1 for a constant. */
  index: number;
  /** Header as written in the file (for messages and reports). */
  header: string;
  /** Excel column letter. */
  letter: string;
  /** A constant value instead of a column. */
  constant?: string;
  /** Transforms named on this entry (after the pipeline's default ones). */
  transforms: string[];
}

export interface RowPreparerOptions {
  file: string;
  sheet?: string;
  fields: FieldSpec[];
  columns: MappedColumn[];
  /** Transforms applied to every mapped text cell first. */
  defaultTransforms: string[];
  /** Per field: label → id overrides. */
  enums: Record<string, Record<string, string>>;
  /**
   * Fields whose column names a record to look up (the company by name or number): the cell is
   * text to resolve, not yet the field's value, so it is only checked for presence here.
   */
  references?: string[];
}
