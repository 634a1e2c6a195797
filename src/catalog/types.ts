/**
 * Shapes of the field catalog: the one description of every ERP field that validation,
 * templates, export captions and the emulator's checks are derived from.
 */

/** The server-side type, as the vendor's generated docs name it (整型 → int, 日期 → datetime). */
export type FieldType = 'int' | 'number' | 'string' | 'datetime' | 'date';

export interface EnumOption {
  /** What is sent on the wire (an id such as `481`, or the label itself for 男/女). */
  value: string;
  /** What a person reads and types (电话, 男). */
  label: string;
}

export interface FieldSpec {
  /** The wire id, e.g. `person_name`, `@ret2_0`. */
  id: string;
  /** Chinese caption as the seed writes it (spaces included: `性 别`, `手 机`). */
  caption: string;
  /**
   * Other headers people give this field (ZB's own import templates say 联系人 and 职位 where the
   * API says 联系人姓名 and 职务). Header matching, `zbport init` and templates read them here; an
   * alias names one field of its entity only (src/catalog/aliases.test.ts).
   */
  aliases?: string[];
  type: FieldType;
  /** 必填 in the seed. */
  required: boolean;
  /**
   * Required only when another field has one of these values (the follow-up schedule fields
   * depend on `plantype`). When the condition does not hold the field is ignored.
   */
  requiredWhen?: { field: string; in: string[] };
  /** The seed's "N字以内": counted in UTF-16 code units, as SQL Server nvarchar counts. */
  maxLength?: number;
  /** Enumerated values; installations may renumber ids, so pipelines can override them. */
  options?: EnumOption[];
  /** Whether a value outside `options` is still accepted (follow-up `intro`: templates or free text). */
  freeText?: boolean;
  /** Where the real ERP serves the options or the referenced record, for the docs. */
  source?: string;
  /** The seed's description, kept for templates and docs. */
  note?: string;
  /** Record key: set by the ERP, not importable as data. */
  key?: boolean;
  /** Digit-like text (phones, QQ, zip): written as text so leading zeros survive. */
  textual?: boolean;
  /**
   * Numbers: the values the field holds (SQL Server `int` for integers unless the field says
   * less, 年龄 0–150). Validation, templates and the emulator's checks all read it here.
   */
  range?: { min: number; max: number };
  /** Dates: the first and last day accepted, `YYYY-MM-DD` (what a template's date check can express too). */
  dateRange?: { min: string; max: string };
}

/** A request-parameter list of one API (save fields, list filters, detail params). */
export interface ApiSpec {
  /** Stable name used in code and pipelines. */
  name: string;
  /** The seed's API title (联系人添加). */
  title: string;
  path: string;
  cmdkey?: string;
  fields: FieldSpec[];
}

/** One column of a list's `source.table`, as the emulator serves it and the client maps it. */
export interface ListColumn {
  /** `cols[].id` on the wire. */
  id: string;
  /** `cols[].dbtype` on the wire. */
  dbtype: 'int' | 'number' | 'date' | 'bool' | 'string';
  /** The logical key (src/catalog/lists.ts LIST_FIELDS) this column carries, when known. */
  field?: string;
  caption: string;
}
