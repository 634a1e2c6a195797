/**
 * An entity is a spec, not an `if`: what a pipeline row can become in the ERP (contact, follow-up,
 * customer), with its catalog fields, how its rows are resolved and matched, which list columns
 * it relies on, and which write policy writes it. The import runner composes a spec without
 * knowing which entity it is; adding an entity is a spec and its tests.
 */
import type { FieldSpec, ListName } from '../catalog/index.js';
import type { ImportConfig } from '../definition/schema.js';
import type { ConfigProblem } from '../definition/problems.js';
import type { RowProblemCode } from '../errors.js';
import type { ListNeeds } from '../installation/list-layout.js';
import type { Logger } from '../report/logger.js';
import type { ImportErp } from '../run/import-erp.js';
import type { Journal } from '../state/journal.js';
import type { Deferred, PreparedRecord } from '../write/keyed-upsert.js';
import type { WriteResult } from '../write/outcomes.js';

export type EntityName = 'contact' | 'followup' | 'customer';

export type RuleProblem = Omit<ConfigProblem, 'file'>;

/** A row turned away while its references were resolved. */
export interface Rejection {
  code: RowProblemCode;
  /** The mapped field whose cell is at fault, or the lookup role of an extra column. */
  field?: string;
  role?: string;
  value: string;
  message: { zh: string; en: string };
}

/** What a run gives an entity to work with. */
export interface EntityContext {
  config: ImportConfig;
  erp: ImportErp;
  journal?: Journal;
  dryRun: boolean;
  matchKeys: string[];
  /** Where the rows go (no secrets): names the follow-up ledger's ERP. */
  target: string;
  log: Logger;
  /** Opens a state file, or stops the run with a configuration error naming the setting. */
  writable<T>(setting: string, dir: string, open: () => T): T;
}

/** One run's handling of this entity's rows. */
export interface EntityRun {
  /**
   * Turns reference text into ids in `values` (a contact's company name into the customer's ord,
   * a follow-up's contact into its ord); `extra(role)` reads the row's extra lookup columns.
   */
  resolve(values: Record<string, string>, extra: (role: string) => string | undefined): Promise<{ ok: true; companyName?: string; note?: string } | { ok: false; rejection: Rejection }>;
  /** Writes one resolved row by the entity's write policy (its outcome later, when deferred). */
  write(row: PreparedRecord): Promise<WriteResult | Deferred>;
  /** Lookups made and saved by caching, for the summary. */
  lookups(): { companies: number; cacheHits: number; created?: number };
  /** Every row has been written: what waits for a batch is looked at now, not when its timer ends. */
  drain?(): void;
  /** The run is over: what it still reads in the background stops; resolves when no request of it is in flight. */
  close(): void | Promise<void>;
}

export interface EntitySpec {
  name: EntityName;
  /** Chinese name for messages and templates (联系人). */
  title: string;
  fields: FieldSpec[];
  /** Fields a user may map (the record key is set by the ERP, except where it names a target). */
  mappable: FieldSpec[];
  /** Fields the run sets from lookup columns rather than from the mapping (a follow-up's contact). */
  resolved?: string[];
  /** The fields that identify an existing record when the pipeline names none, of those mapped. */
  defaultMatchKeys(mapped: ReadonlySet<string>): string[];
  /** Source columns a row needs besides its mapping, by role (a follow-up's contact lookup). */
  extraColumns(config: ImportConfig): Record<string, string | undefined>;
  /** Mapped fields whose cell is text naming a record to look up, not yet the field's value. */
  references(config: ImportConfig): string[];
  /** Identical rows: the same record twice (rejected as a duplicate) or two records (follow-ups). */
  identicalRows: 'duplicate' | 'distinct';
  /**
   * What the next run makes of a row a kill left pending: looks for it in the ERP (`look`: keyed
   * upsert), or reports it for a person to check (`report`: follow-ups, which no list tells apart).
   * Only where it looks may a row be journalled ahead of its send, waiting for a request slot.
   */
  pendingAfterKill: 'look' | 'report';
  /**
   * ZB's own layout, a customer row followed by rows of its further contacts: the field that is
   * blank on such a continuation row, and what the entity does with it (fill the customer down
   * from the row above, or skip the row: its contacts are another pipeline's).
   */
  continuation?: { field: string; then: 'fill' | 'skip' };
  /** List columns a run relies on (checked before any row is written). */
  needs(config: ImportConfig, matchKeys: string[]): ListNeeds;
  /** Reads the run's start makes whatever the column checks find, sent with them (StartReads). */
  startReads?(config: ImportConfig, matchKeys: string[], dryRun: boolean): StartReads;
  /** Named lint rules of this entity's pipelines. */
  rules(config: ImportConfig, matchKeys: string[]): RuleProblem[];
  start(ctx: EntityContext): Promise<EntityRun>;
}

/**
 * Reads a run's start may send with the column checks, not after them: nothing is written before
 * the checks have passed, and a read needs no check to be sent (its answer is checked when used).
 */
export interface StartReads {
  /** Lists loaded from their first page when it holds them whole: the check reads that page (checkLists). */
  wholeFirstPage?: ListName[];
  /** The batch verifier's first page of newest contacts, of this size (ErpAdapter.readNewestEarly). */
  newestContacts?: number;
}

export const mappable = (fields: FieldSpec[], keep: string[] = []): FieldSpec[] => fields.filter((f) => !f.key || keep.includes(f.id));
