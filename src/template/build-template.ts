/**
 * Spreadsheet templates for admins, generated from an import pipeline and the field catalog:
 * the header the pipeline's mapping expects, a note with each field's rule, Excel data
 * validation that refuses bad input while people type (lengths, enums, whole numbers, dates,
 * the company as a dropdown of a real ERP's customers, never the emulator's made-up ones), `*` on
 * required headers, a grey example row that import skips, text formats for phone-like columns,
 * an instructions sheet, and a hidden sheet that records which pipeline and catalog made it.
 */
import type ExcelJS from 'exceljs';
import { exceljs } from '../lazy-exceljs.js';
import { createHash } from 'node:crypto';
import { CATALOG_HASH, describeRule, plainCaption, type FieldSpec } from '../catalog/index.js';
import { ENTITIES } from '../entities/index.js';
import { entrySources } from '../run/header-map.js';
import type { ImportConfig } from '../definition/schema.js';

/** Name of the hidden sheet that records where a template came from. */
export const META_SHEET = '_zbport';
/** Name of the hidden sheet holding the customer names of the company dropdown. */
export const CUSTOMERS_SHEET = '_客户';
/** Validations cover the whole column: one range each, whatever the row count. */
const LAST_ROW = 1_048_576;

export interface TemplateColumn {
  header: string;
  /** The catalog field, or undefined for a follow-up's contact lookup column. */
  field?: FieldSpec;
  /** What a lookup column holds, when it is one. */
  lookup?: 'company' | 'contact-name' | 'mobile' | 'contact-ord';
}

/** The columns the pipeline reads, in its mapping order (constants and lookup columns included). */
export function templateColumns(config: ImportConfig): TemplateColumn[] {
  const entity = ENTITIES[config.entity];
  const cols: TemplateColumn[] = [];
  if (config.entity === 'followup') {
    const l = config.contactLookup;
    const add = (header: string | undefined, lookup: TemplateColumn['lookup']) => header && cols.push({ header, lookup });
    if (l.by === 'company+name') {
      add(l.companyColumn, 'company');
      add(l.nameColumn, 'contact-name');
    } else if (l.by === 'mobile') add(l.mobileColumn, 'mobile');
    else add(l.ordColumn, 'contact-ord');
  }
  for (const [id, entry] of Object.entries(config.mapping)) {
    const src = entrySources(entry);
    if (src.value !== undefined || !src.from.length) continue;
    const field = entity.fields.find((f) => f.id === id);
    cols.push({ header: src.from[0], field, lookup: id === 'company' && config.lookup.by === 'name' && config.entity === 'contact' ? 'company' : undefined });
  }
  return cols;
}

/** A short fingerprint of what the pipeline reads, so a template made for another mapping is noticed. */
export function mappingHash(config: ImportConfig): string {
  return createHash('sha256').update(JSON.stringify([config.entity, config.mapping, config.contactLookup])).digest('hex').slice(0, 16);
}

export interface BuildOptions {
  config: ImportConfig;
  pipelineFile: string;
  /** Customer names for the company dropdown (from a real ERP only); undefined when there is none. */
  customers?: string[];
  /** Why there is no dropdown: `offline` (--offline) or `emulator` (the target is the built-in emulator). */
  noCustomers?: 'offline' | 'emulator';
  now?: Date;
}

/** The example row's first cell starts with this; with the row number in the hidden sheet, it marks the row import skips. */
export const EXAMPLE_MARK = '示例';

/** Whether the template's header shows this column as required (`*` and red). */
export function isRequired(col: TemplateColumn): boolean {
  return col.lookup !== undefined || (!!col.field?.required && !col.field.requiredWhen && !col.field.key);
}

/** Plausible values for the example row, by field id (contact and follow-up fields). */
const EXAMPLES: Record<string, string> = {
  company: '北京某某科技有限公司', person_name: '张三', pym: 'zs', sex: '男', age: '35', year1: '1990-01-02', part1: '采购部',
  job: '经理', phone: '010-62345678', fax: '010-62345679', mobile: '13800138000', mobile2: '13900139000', phone2: '010-81234567',
  email: 'zhangsan@example.com', qq: '12345678', weixinAcc: 'zhangsan_wx', msn: 'zhangsan@example.com', jg: '北京', zip: '100080',
  joy: '羽毛球', sort: '电话', plantype: '已完成日程', '@ret2_0': '2024-03-01 09:00', '@ret2_1': '2024-03-01 10:30',
  '@title2': '上门拜访', '@intro2': '已完成，客户满意',
};

function exampleFor(col: TemplateColumn, entity: ImportConfig['entity']): string {
  if (col.lookup === 'company') return EXAMPLES.company;
  if (col.lookup === 'contact-name') return EXAMPLES.person_name;
  if (col.lookup === 'mobile') return EXAMPLES.mobile;
  if (col.lookup === 'contact-ord') return '1234';
  const f = col.field;
  if (!f) return '';
  if (f.id === 'intro') return entity === 'followup' ? f.options?.[0]?.label ?? '' : '示例备注';
  return EXAMPLES[f.id] ?? f.options?.[0]?.label ?? '';
}

const letter = (n: number) => {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

export function buildTemplate(o: BuildOptions): ExcelJS.Workbook {
  const { config } = o;
  const columns = templateColumns(config);
  const wb = new (exceljs()).Workbook();
  wb.creator = 'zbport';
  const sheetName = typeof config.source.sheet === 'string' ? config.source.sheet : ENTITIES[config.entity].title;
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: config.source.headerRow }] });
  const headerRow = ws.getRow(config.source.headerRow);

  const exampleRow = config.source.headerRow + 1;
  let customerRange: string | undefined;
  if (o.customers?.length) {
    const hidden = wb.addWorksheet(CUSTOMERS_SHEET, { state: 'hidden' });
    const names = [...new Set(o.customers)].sort((a, b) => a.localeCompare(b, 'zh'));
    names.forEach((n, i) => (hidden.getCell(i + 1, 1).value = n));
    customerRange = `'${CUSTOMERS_SHEET}'!$A$1:$A$${names.length}`;
  }

  columns.forEach((col, i) => {
    const c = i + 1;
    const range = `${letter(c)}${config.source.headerRow + 1}:${letter(c)}${LAST_ROW}`;
    const cell = headerRow.getCell(c);
    const required = isRequired(col);
    // Header matching ignores the `*` (src/pipeline/header-map.ts), so the pipeline still finds the column.
    cell.value = required ? `*${col.header}` : col.header;
    cell.font = { bold: true, color: { argb: required ? 'FFC00000' : 'FF000000' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: required ? 'FFFCE4D6' : 'FFDDEBF7' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center' };
    cell.note = noteFor(col, config);
    const column = ws.getColumn(c);
    column.width = Math.min(40, Math.max(12, [...col.header].length * 2 + 4));
    const f = col.field;
    if (f?.textual || col.lookup === 'mobile') column.numFmt = '@';
    else if (f?.type === 'date' || (f?.type === 'datetime' && !f.id.startsWith('@'))) column.numFmt = 'yyyy-mm-dd';
    else if (f?.type === 'datetime') column.numFmt = 'yyyy-mm-dd hh:mm';
    const v = validationFor(col, config, customerRange);
    // exceljs has the API but not its type.
    if (v) (ws as unknown as { dataValidations: { add(r: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(range, v);
  });
  headerRow.height = 24;
  // The example row: grey and italic, its first cell starting with 示例, its number in the hidden
  // sheet; import skips it (src/template/example-row.ts), so it may be left in place.
  const example = ws.getRow(exampleRow);
  columns.forEach((col, i) => {
    const cell = example.getCell(i + 1);
    const v = exampleFor(col, config.entity);
    cell.value = i === 0 ? `${EXAMPLE_MARK}：${v}` : v || null;
    cell.font = { italic: true, color: { argb: 'FF808080' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
  });
  example.getCell(1).note = '示例行：导入时自动跳过，可以保留 / example row: skipped on import';
  ws.autoFilter = { from: { row: config.source.headerRow, column: 1 }, to: { row: config.source.headerRow, column: columns.length } };

  addInstructions(wb, o, columns);
  const meta = wb.addWorksheet(META_SHEET, { state: 'veryHidden' });
  const info: Array<[string, string]> = [
    ['pipeline', config.name], ['entity', config.entity], ['mappingHash', mappingHash(config)], ['catalogHash', CATALOG_HASH],
    ['pipelineFile', o.pipelineFile], ['generatedAt', (o.now ?? new Date()).toISOString()],
    ['customers', o.customers ? String(o.customers.length) : o.noCustomers ?? 'offline'], ['exampleRow', String(exampleRow)],
  ];
  info.forEach(([k, v], i) => {
    meta.getCell(i + 1, 1).value = k;
    meta.getCell(i + 1, 2).value = v;
  });
  return wb;
}

function noteFor(col: TemplateColumn, config: ImportConfig): string {
  if (col.lookup === 'company') return `${col.header}：必填，填写 ERP 中的客户全称（从下拉列表选择）`;
  if (col.lookup === 'contact-name') return `${col.header}：必填，该客户下的联系人姓名`;
  if (col.lookup === 'mobile') return `${col.header}：必填，联系人的手机号`;
  if (col.lookup === 'contact-ord') return `${col.header}：必填，联系人在 ERP 中的编号（ord）`;
  const f = col.field!;
  let rule = describeRule(f).replace(/^[^：]*：/, `${col.header}：`);
  if (f.requiredWhen) {
    const dep = ENTITIES[config.entity].fields.find((x) => x.id === f.requiredWhen!.field);
    const labels = dep?.options?.filter((o) => f.requiredWhen!.in.includes(o.value)).map((o) => o.label).join('/') ?? f.requiredWhen.in.join('/');
    rule = rule.replace(/[^，]*时必填/, `${plainCaption(dep?.caption ?? f.requiredWhen.field)}为“${labels}”时必填`);
  }
  return rule;
}

function validationFor(col: TemplateColumn, config: ImportConfig, customerRange: string | undefined): ExcelJS.DataValidation | undefined {
  const base = { allowBlank: true, showInputMessage: true, showErrorMessage: true, errorStyle: 'stop', promptTitle: col.header.slice(0, 32) } as const;
  if (col.lookup === 'company') {
    if (!customerRange) return { ...base, type: 'textLength', operator: 'lessThanOrEqual', formulae: [100], prompt: '填写 ERP 中的客户全称', errorTitle: '客户名称太长', error: '客户名称不能超过100个字' };
    return { ...base, type: 'list', formulae: [customerRange], prompt: '从下拉列表中选择客户', errorTitle: '客户不存在', error: '请从下拉列表中选择 ERP 中已有的客户' };
  }
  if (col.lookup) return { ...base, type: 'textLength', operator: 'lessThanOrEqual', formulae: [50], prompt: noteFor(col, config).slice(0, 255), errorTitle: '内容太长', error: '不能超过50个字' };
  const f = col.field;
  if (!f) return undefined;
  const name = plainCaption(f.caption);
  const prompt = noteFor(col, config).slice(0, 255);
  if (f.options) {
    const overrides = config.enums[f.id] ?? {};
    const labels = [...new Set([...f.options.map((o) => o.label), ...Object.keys(overrides)])];
    const list = `"${labels.map((l) => l.replace(/[",]/g, ' ')).join(',')}"`;
    if (list.length <= 255) {
      // Free-text enums (follow-up templates) suggest their options but accept other text.
      return { ...base, type: 'list', formulae: [list], prompt, showErrorMessage: !f.freeText, errorStyle: f.freeText ? 'information' : 'stop', errorTitle: `${name}无效`, error: `${name}只能是：${labels.join('、')}`.slice(0, 255) };
    }
  }
  // Ranges are the catalog's, the same validation and the emulator's checks read.
  if ((f.type === 'int' || f.type === 'number') && f.range) {
    const { min, max } = f.range;
    return { ...base, type: f.type === 'int' ? 'whole' : 'decimal', operator: 'between', formulae: [min, max], prompt, errorTitle: `${name}应为${f.type === 'int' ? '整数' : '数字'}`, error: `${name}应为 ${min} 到 ${max} 之间的${f.type === 'int' ? '整数' : '数字'}` };
  }
  if ((f.type === 'date' || f.type === 'datetime') && f.dateRange) {
    const day = (d: string) => new Date(`${d}T00:00:00Z`);
    const { min, max } = f.dateRange;
    return { ...base, type: 'date', operator: 'between', formulae: [day(min), day(max)], prompt, errorTitle: `${name}不是有效日期`, error: `${name}应为 ${min} 到 ${max} 之间的日期，例如 1990-01-02` };
  }
  if (f.maxLength) return { ...base, type: 'textLength', operator: 'lessThanOrEqual', formulae: [f.maxLength], prompt, errorTitle: `${name}太长`, error: `${name}不能超过${f.maxLength}个字` };
  return undefined;
}

function addInstructions(wb: ExcelJS.Workbook, o: BuildOptions, columns: TemplateColumn[]): void {
  const s = wb.addWorksheet('说明');
  s.getColumn(1).width = 22;
  s.getColumn(2).width = 18;
  s.getColumn(3).width = 70;
  const { config } = o;
  const lines: string[][] = [
    [`${ENTITIES[config.entity].title}导入模板`],
    [`由 zbport 根据流水线 ${config.name}（${o.pipelineFile}）生成。`],
    [`填写方法：在第一个工作表中从第 ${config.source.headerRow + 2} 行起每行填写一条记录；第 ${config.source.headerRow + 1} 行是灰色的示例行，导入时自动跳过（可保留，也可删除）；表头带 * 的红色列为必填列；请勿修改表头、工作表名称，也不要删除隐藏的工作表。`],
    ...companyListLines(o, columns),
    ['单元格有下拉列表或输入限制时，不符合规则的内容会被 Excel 拒绝；导入时 zbport 会再次按同样的规则检查，并把不合格的行连同原因写入“rejects.xlsx”，修改后可直接再次导入。'],
    [`导入命令：zbport run ${o.pipelineFile} --input <本文件>`],
    [],
    ['列名', '字段', '规则'],
  ];
  for (const c of columns) lines.push([isRequired(c) ? `*${c.header}` : c.header, c.field?.id ?? c.lookup ?? '', noteFor(c, config).replace(/^[^：]*：/, '')]);
  const tableHeader = lines.findIndex((l) => l[0] === '列名');
  lines.forEach((l, i) => {
    const row = s.getRow(i + 1);
    row.values = l;
    if (i === 0) row.font = { bold: true, size: 14 };
    if (i === tableHeader) row.font = { bold: true };
    if (l[0]?.startsWith('注意')) row.font = { bold: true, color: { argb: 'FFC00000' } };
  });
}

/** Why the company column has no dropdown, when it has none. */
function companyListLines(o: BuildOptions, columns: TemplateColumn[]): string[][] {
  if (o.customers?.length || !columns.some((c) => c.lookup === 'company')) return [];
  if (o.noCustomers === 'emulator') {
    return [['注意：客户列没有下拉列表。生成模板时没有连接真实 ERP（未设置 ZB_BASE_URL，目标是内置模拟器），模拟器里的客户是虚构的演示数据，不能放进下拉列表；请填写 ERP 中客户的全称，或设置 ZB_BASE_URL 等连接 ERP 后重新生成模板。']];
  }
  return [['客户列没有下拉列表（生成时使用了 --offline）：请填写 ERP 中客户的全称。']];
}
