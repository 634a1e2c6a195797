/**
 * The pipeline definition language: what a user writes in pipelines/*.yaml.
 *
 * Every field is declared once here, with its description and default; `zbport lint`,
 * the published JSON Schema (schema/pipeline.schema.json) and the docs come from it.
 * These are the *written* shapes; rules.ts checks references against the field catalog.
 */
import { z } from 'zod';
import { DEFAULT_RETRIES } from '../erp/retry-policy.js';
import { AUTO_LIMIT_DEFAULTS } from '../erp/concurrency-limit.js';
import { InstallationProfile, ConnectionSettings, ListsBlock } from '../installation/profile-schema.js';

const positiveInt = () => z.number().int().positive();

/**
 * Where the ERP is. Values are never secrets themselves: secrets are named by environment
 * variable. Connection settings left out come from the installation profile (and its defaults).
 */
export const ErpBlock = z
  .strictObject({
    ...ConnectionSettings,
    fallback: z
      .enum(['none', 'emulator'])
      .default('none')
      .describe('What to do when the base URL variable is unset: fail (none), or run against the built-in emulator (emulator; for demos and rehearsals only)'),
    emulatorData: z.string().default('.zbport-emulator').describe('Data directory of the built-in emulator, when it is used'),
  })
  .describe('How to reach the ERP; settings left out come from the installation profile');

export const SourceBlock = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .describe('Spreadsheet to read (.xlsx, .xls, .et, .ods or .csv), relative to the folder zbport runs in; `*` in the file name picks the newest matching file (e.g. exports/联系人-*.xlsx); `--input` overrides it'),
    sheet: z.union([z.string(), positiveInt()]).optional().describe('Sheet name or 1-based index (xlsx only; default: the first sheet)'),
    headerRow: positiveInt().default(1).describe('Row number of the header row as Excel shows it'),
    encoding: z
      .enum(['auto', 'utf8', 'gb18030', 'gbk', 'utf16le', 'utf16be'])
      .default('auto')
      .describe('Text encoding of a CSV file; auto detects BOMs, UTF-8 and GB18030'),
    delimiter: z.string().default('auto').describe('CSV delimiter, or auto to detect comma, tab, semicolon or pipe'),
    layout: z
      .enum(['rows', 'zb'])
      .default('rows')
      .describe('rows: one record a row; zb: ZB\'s own layout, a customer row followed by rows of its further contacts whose customer cells are blank (a contact import takes the customer from the row above, a customer import skips those rows)'),
  })
  .describe('The file rows come from');

/** One mapped field: a source header (with aliases) and the transforms to apply. */
export const MappingEntry = z.union([
  z.string().describe('Source header'),
  z.array(z.string()).min(1).describe('Source header and its aliases; the first one found is used'),
  z.strictObject({
    from: z.union([z.string(), z.array(z.string()).min(1)]).optional().describe('Source header and aliases'),
    value: z.string().optional().describe('A constant value instead of a column'),
    transforms: z.array(z.string()).optional().describe('Transforms applied in order, after the default ones'),
    optional: z
      .boolean()
      .optional()
      .describe('The column may be missing from the file: the run notes it once and leaves the field out, instead of stopping (default false). Not for fields the ERP requires or match keys'),
  }),
]);

export const LookupBlock = z
  .strictObject({
    by: z.enum(['name', 'code', 'id']).default('name').describe('What the column holds: the customer name, the customer number (客户编号) or the ERP id (ord)'),
    preload: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('Load the whole customer list once (always), look names up one by one (never), or choose by size (auto)'),
    createMissing: z
      .union([
        z.literal(false),
        z.strictObject({
          values: z.record(z.string(), z.string()).default({}).describe('Customer fields a new customer gets (客户分类 sort1 is required, e.g. "1"; 客户来源 ly …)'),
        }),
      ])
      .default(false)
      .describe('Contacts whose company no customer has: create the customer (by name, with these values and the row\'s contact as its first contact), once, and report it per row; false (default) rejects such rows'),
  })
  .describe('How company names are resolved to customer ids');

export const ContactLookupBlock = z
  .strictObject({
    by: z
      .enum(['company+name', 'mobile', 'ord'])
      .default('company+name')
      .describe('How a follow-up row names its contact: company name + contact name, mobile, or the contact ord'),
    companyColumn: z.string().optional().describe('Header of the company-name column (by company+name)'),
    nameColumn: z.string().optional().describe('Header of the contact-name column (by company+name)'),
    mobileColumn: z.string().optional().describe('Header of the mobile column (by mobile)'),
    ordColumn: z.string().optional().describe('Header of the contact id column (by ord)'),
  })
  .describe('How follow-up rows find their contact');

export const WriteBlock = z
  .strictObject({
    mode: z
      .enum(['insert', 'upsert', 'update', 'skip-existing'])
      .default('upsert')
      .describe('insert: create, reject rows that exist; upsert: update or create; update: update, reject rows that do not exist; skip-existing: create, skip rows that exist'),
    matchKeys: z.array(z.string()).optional().describe('Fields that identify an existing record (contact default: company, person_name, mobile; `ord` for round trips)'),
    blank: z.enum(['keep', 'clear']).default('keep').describe('On update, a blank cell keeps the ERP value (keep) or empties it (clear)'),
    concurrency: z
      .union([z.literal('auto'), positiveInt().max(256)])
      .default('auto')
      .describe('Rows in flight: auto raises them while the ERP answers as fast and lowers them when it slows down or fails (up to maxConcurrency); a number fixes them'),
    maxConcurrency: positiveInt().max(256).default(AUTO_LIMIT_DEFAULTS.max).describe('With concurrency: auto, rows in flight at most (requests at most; a quarter more rows wait ready)'),
    initialConcurrency: positiveInt().max(256).default(AUTO_LIMIT_DEFAULTS.initial).describe('With concurrency: auto, the limit to start from (at most maxConcurrency)'),
    rateLimit: z.number().nonnegative().default(0).describe('Requests per second at most (0: no limit)'),
    retries: z.number().int().nonnegative().max(20).default(DEFAULT_RETRIES).describe('Retries of a transient fault, with exponential backoff'),
    verify: z.boolean().default(true).describe('Read every write back before counting it done'),
    maxConsecutiveFailures: positiveInt().default(50).describe('Circuit breaker: abort the run (exit 3) after this many failed rows in a row'),
    repost: z
      .boolean()
      .default(false)
      .describe('Follow-ups: post rows again that the ledger records as posted to this ERP by an earlier run or file (default: report them as done earlier and skip them). Set it for one run, on purpose'),
  })
  .describe('How rows are written');

export const ReportsBlock = z
  .strictObject({
    dir: z.string().default('reports/{name}/{date}-{time}').describe('Folder for the rejects workbook, results file and summary; {name}, {date}, {time} are filled in'),
    rejects: z.boolean().default(true).describe('Write the rejects workbook'),
    results: z.boolean().default(true).describe('Write the results file (source row → outcome, ord)'),
  })
  .describe('Where reports go');

export const ExportTarget = z
  .strictObject({
    file: z.string().min(1).describe('Output file (.xlsx or .csv); {name}, {date}, {time} are filled in'),
    encoding: z.enum(['utf8-bom', 'utf8', 'gb18030']).default('utf8-bom').describe('CSV encoding; UTF-8 with BOM opens correctly in Excel'),
    sheetName: z.string().default('联系人').describe('Sheet name (xlsx)'),
    maxRowsPerSheet: positiveInt().max(1_048_575).default(1_048_575).describe('Data rows per sheet before a new sheet starts (Excel allows 1,048,576 rows including the header)'),
  })
  .describe('The exported file');

const base = {
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Pipeline name, used in report and state file names'),
  description: z.string().optional().describe('What the pipeline is for'),
  installation: z
    .string()
    .min(1)
    .optional()
    .describe('Installation profile (YAML, written by `zbport doctor`) describing the ERP this pipeline talks to; `--installation` or ZBPORT_INSTALLATION override it; default: zbport\'s built-in guess, checked against the server before writing'),
  erp: ErpBlock.prefault({}),
  lists: ListsBlock.optional().describe('Overrides of single list columns of the installation profile, for this pipeline only'),
};

export const ImportPipeline = z.strictObject({
  ...base,
  kind: z.literal('import'),
  entity: z.enum(['contact', 'followup', 'customer']).describe('What each row becomes in the ERP: 联系人 contact, 洽谈进展 followup, 客户 customer'),
  source: SourceBlock,
  mapping: z.record(z.string(), MappingEntry).describe('Target field id (from the field catalog) ← source header'),
  transforms: z.array(z.string()).default(['trim', 'halfwidth']).describe('Transforms applied to every mapped cell first'),
  enums: z.record(z.string(), z.record(z.string(), z.string())).default({}).describe('Per field, label → id overrides for installations whose enum ids differ'),
  lookup: LookupBlock.prefault({}),
  contactLookup: ContactLookupBlock.prefault({}),
  write: WriteBlock.prefault({}),
  reports: ReportsBlock.prefault({}),
  stateDir: z.string().default('.zbport/state').describe('Where the journal that makes re-runs exactly-once lives'),
});

export const ExportPipeline = z.strictObject({
  ...base,
  kind: z.literal('export'),
  entity: z.enum(['contact', 'customer']).describe('Which list to export'),
  filters: z.record(z.string(), z.union([z.string(), z.number()])).default({}).describe('List filters (field catalog: contact list filters), e.g. name, sex, date1_0'),
  sort: z.string().optional().describe('Sort by field (ord, date1 …), with a leading - for descending; sent as the installation\'s column id'),
  pageSize: positiveInt().max(5000).default(200).describe('Rows per list page (at most the installation\'s connection.maxPageSize)'),
  concurrency: positiveInt().max(32).default(4).describe('Pages fetched in parallel (written in order)'),
  columns: z
    .array(z.union([z.string(), z.strictObject({ field: z.string(), caption: z.string().optional() })]))
    .optional()
    .describe('Columns to write, by field (person_name, customer_name, mobile, date1 …; the same names whatever the installation calls its columns); default: every field the list shows'),
  columnMap: z.record(z.string(), z.string()).default({}).describe('Column id → logical field, overriding the installation profile for this export (older form of `lists:`)'),
  incremental: z.boolean().default(false).describe('Export only records added since the last successful run'),
  output: ExportTarget,
  stateDir: z.string().default('.zbport/state').describe('Where the watermark and the lock live'),
});

export const Pipeline = z.discriminatedUnion('kind', [ImportPipeline, ExportPipeline]);

/** Every YAML definition zbport reads: pipelines and installation profiles share one loader, lint and schema. */
export const Definition = z.discriminatedUnion('kind', [ImportPipeline, ExportPipeline, InstallationProfile]);

export type WrittenPipeline = z.input<typeof Pipeline>;
export type PipelineConfig = z.output<typeof Pipeline>;
export type DefinitionConfig = z.output<typeof Definition>;
export type ImportConfig = z.output<typeof ImportPipeline>;
export type ExportConfig = z.output<typeof ExportPipeline>;
export type MappingEntryConfig = z.output<typeof MappingEntry>;
