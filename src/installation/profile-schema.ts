/**
 * An installation profile: one YAML file that describes one ZB ERP installation, used by every
 * pipeline that talks to it. Real installations differ where the protocol notes say "unknown"
 * (list column ids and order, enum ids, login variant, limits), so everything zbport would
 * otherwise have to guess about a server lives here, written by `zbport doctor` from what the
 * server returned, or by hand.
 *
 * Connection defaults are declared once, here; a pipeline's `erp:` block overrides single
 * settings, a pipeline's `lists:` block single columns.
 */
import { z } from 'zod';
import { LIST_NAMES, type ListName } from '../catalog/index.js';
import { CONNECTION_DEFAULTS } from '../erp/config.js';

export { CONNECTION_DEFAULTS };

const positiveInt = () => z.number().int().positive();

/** The written connection settings, every one optional (profiles and pipelines both use it). */
export const ConnectionSettings = {
  baseUrlEnv: z.string().min(1).optional().describe(`Environment variable holding the ERP base URL, e.g. http://erp.example.com:8088 (default ${CONNECTION_DEFAULTS.baseUrlEnv})`),
  userEnv: z.string().min(1).optional().describe(`Environment variable holding the ERP user name (default ${CONNECTION_DEFAULTS.userEnv})`),
  passwordEnv: z.string().min(1).optional().describe(`Environment variable holding the ERP password, never written to logs or reports (default ${CONNECTION_DEFAULTS.passwordEnv})`),
  serialnumEnv: z.string().min(1).optional().describe(`Environment variable holding the device serial, 20 letters/digits at most; a stable default is derived when unset (default ${CONNECTION_DEFAULTS.serialnumEnv})`),
  login: z.enum(['webapi', 'mobile']).optional().describe('Login endpoint: /webapi/v3/ov1/login (webapi, default) or /sysa/mobilephone/login.asp (mobile, older installations)'),
  timeoutMs: positiveInt().optional().describe(`Time limit of one request, in milliseconds (default ${CONNECTION_DEFAULTS.timeoutMs})`),
  maxPageSize: positiveInt().max(5000).optional().describe(`Rows per list page at most, as this installation allows (default ${CONNECTION_DEFAULTS.maxPageSize})`),
  contentType: z.enum(['json', 'zsml']).optional().describe('Request content type: application/json (default) or application/zsml (as the vendor\'s demos send)'),
};

/**
 * The columns of one list, by logical key (a catalog field id, or `customer_name` / `date1` for
 * the customer's name and 添加时间 beside a contact) → the column id the ERP sends in
 * `cols[].id`. `null`: this installation's list does not show it.
 */
export const ListColumnsBlock = z
  .record(z.string(), z.string().min(1).nullable())
  .describe('Logical field → column id (`cols[].id`) in this installation\'s list; null when the list does not show it');

export const ListBlock = z
  .strictObject({
    columns: ListColumnsBlock,
  })
  .describe('One list page of the ERP');

export const ListsBlock = z
  .strictObject(Object.fromEntries(LIST_NAMES.map((n) => [n, ListBlock.optional()])) as Record<ListName, z.ZodOptional<typeof ListBlock>>)
  .describe('Column maps of the lists zbport reads: contact (person/list.asp), contactPick (person/list.asp?checktype=radio), customer (custom/list.asp). A list left out uses zbport\'s built-in guess');

export const EnumsBlock = z
  .record(z.string(), z.record(z.string(), z.string()))
  .describe('Per field, label → this installation\'s id (跟进方式 sort, 日程类型 plantype, 洽谈模板 intro, 性别 sex, 客户来源 ly …)');

export const CalibrationBlock = z
  .strictObject({
    at: z.string().optional().describe('When `zbport doctor` wrote this profile (ISO time)'),
    server: z.string().optional().describe('The ERP address it read (credentials removed)'),
    appversion: z.string().optional().describe('The version the ERP reported at login'),
    notes: z.array(z.string()).optional().describe('What could not be inferred, and other findings'),
  })
  .describe('Written by `zbport doctor`: where and when this profile was read off a server');

export const InstallationProfile = z.strictObject({
  kind: z.literal('installation'),
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Profile name, for messages'),
  description: z.string().optional().describe('Which installation this is'),
  connection: z.strictObject(ConnectionSettings).prefault({}).describe('How to reach this installation'),
  lists: ListsBlock.prefault({}),
  enums: EnumsBlock.default({}),
  calibration: CalibrationBlock.optional(),
});

export type InstallationConfig = z.output<typeof InstallationProfile>;
export type ConnectionConfig = typeof CONNECTION_DEFAULTS;
export type WrittenConnection = Partial<ConnectionConfig>;
export type ListsConfig = z.output<typeof ListsBlock>;
