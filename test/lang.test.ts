/**
 * Issue 15, item 4: Chinese first, English alongside. Through the real command: the same bad
 * pipeline linted and the same import run under a Chinese locale (both languages), under
 * `--lang en` (English only: no Chinese but the data's) and under `--lang zh` (Chinese only);
 * `--help` in each; row reasons name fields by their captions (生日, not year1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { CONTACT_FIELDS, CUSTOMER_FIELDS, FOLLOWUP_FIELDS, LIST_FIELDS, LIST_TITLES } from '../src/catalog/index.js';
import { zbport } from './helpers/cli.js';
import { tempDir, writeCsv } from './helpers/files.js';

const ZH_LOCALE = { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '', ZBPORT_LANG: '' };
const EN_LOCALE = { LANG: 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '', ZBPORT_LANG: '' };
const HAN = /\p{Script=Han}+/gu;

/** Names people read in Chinese whatever the language: captions and aliases of fields, list titles. */
const CATALOG_NAMES = [
  ...[CONTACT_FIELDS, CUSTOMER_FIELDS, FOLLOWUP_FIELDS].flat().flatMap((f) => [f.caption.replace(/\s+/g, ''), ...(f.aliases ?? [])]),
  ...Object.values(LIST_FIELDS).flat().map((f) => f.caption),
  ...Object.values(LIST_TITLES),
  '智邦国际',
].join('\n');

/** Chinese text in `out` that is neither data (`data`) nor a field's caption. */
function chineseBesides(out: string, data: string): string[] {
  return [...new Set(out.match(HAN) ?? [])].filter((run) => !data.includes(run) && !CATALOG_NAMES.includes(run));
}

/** A pipeline of the wrong shape (the rules are not checked then) and one of the right shape that breaks the rules. */
const BAD_SHAPE = `name: bad-shape
kind: import
entity: contact
source:
  file: in.csv
mapping:
  company: 客户名称
  mobil: 手机
write:
  retries: many
bogus: 1
`;
const BAD_RULES = `name: bad-rules
kind: import
entity: contact
source:
  file: in.csv
mapping:
  company: 客户名称
  mobile: { from: 手机, transforms: [phon] }
write:
  matchKeys: [company, email]
`;

describe('lint speaks the language asked for (issue 15)', () => {
  const dir = tempDir('lang-lint-');
  const files = [path.join(dir, 'bad-shape.yaml'), path.join(dir, 'bad-rules.yaml')];
  writeFileSync(files[0], BAD_SHAPE);
  writeFileSync(files[1], BAD_RULES);
  const data = BAD_SHAPE + BAD_RULES;

  it('a Chinese locale: Chinese first, English alongside', async () => {
    const r = await zbport(['lint', ...files], { env: ZH_LOCALE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error 未知的设置 `bogus` / unknown setting `bogus` (可选值 / known: name,');
    expect(r.stderr).toContain('`mapping.mobil`: `mobil` 不是联系人的字段 / `mobil` is not a contact field');
    expect(r.stderr).toContain('`write.retries`: 应为数字，实际为文本 `many` / expected number, got string `many`');
    expect(r.stderr).toContain('必填字段联系人姓名（person_name）没有对应的列 / required field 联系人姓名 (`person_name`) is not mapped');
    expect(r.stderr).toContain('未知的转换 `phon` / unknown transform `phon`');
    expect(r.stderr).toContain('匹配键 `email` 没有对应的列 / match key `email` is not mapped');
  });

  it('--lang en: English only', async () => {
    const r = await zbport(['lint', ...files, '--lang', 'en'], { env: ZH_LOCALE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error unknown setting `bogus` (known: name,');
    expect(r.stderr).toContain('`mobil` is not a contact field');
    expect(r.stderr).toContain('expected number, got string `many`');
    expect(r.stderr).toContain('required field 联系人姓名 (`person_name`) is not mapped');
    expect(r.stderr).toContain('unknown transform `phon`');
    expect(r.stderr).toContain('match key `email` is not mapped');
    expect(chineseBesides(r.stderr, data)).toEqual([]);
  });

  it('--lang zh: Chinese only', async () => {
    const r = await zbport(['lint', ...files, '--lang', 'zh'], { env: EN_LOCALE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('错误 未知的设置 `bogus`（可选值：name,');
    expect(r.stderr).toContain('应为数字，实际为文本 `many`');
    expect(r.stderr).toContain('必填字段联系人姓名（person_name）没有对应的列');
    expect(r.stderr).toContain('匹配键 `email` 没有对应的列');
    expect(r.stderr).not.toMatch(/unknown setting|is not a contact field|is not mapped|expected number|known:|unknown transform/);
  });

  it('an English locale means English; ZBPORT_LANG and --lang come first', async () => {
    const en = await zbport(['lint', files[0]], { env: EN_LOCALE });
    expect(en.stderr).toContain('unknown setting `bogus`');
    expect(en.stderr).not.toContain('未知的设置');
    const own = await zbport(['lint', files[0]], { env: { ...EN_LOCALE, ZBPORT_LANG: 'both' } });
    expect(own.stderr).toContain('未知的设置 `bogus` / unknown setting `bogus`');
    const refused = await zbport(['lint', files[0], '--lang', 'fr'], { env: ZH_LOCALE });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/lang.*"fr".*"zh", "en", "both"/);
  });
});

describe('help speaks the language asked for (issue 15)', () => {
  it('a Chinese locale: both; --lang en: English; --lang zh: Chinese', async () => {
    const both = await zbport(['--help'], { env: ZH_LOCALE });
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('命令 / Commands:');
    expect(both.stdout).toContain('运行导入或导出流水线 / Run an import');
    expect(both.stdout).toContain('--lang');

    const en = await zbport(['--help', '--lang', 'en'], { env: ZH_LOCALE });
    expect(en.stdout).toContain('Commands:');
    expect(en.stdout).toContain('Run an import or export pipeline');
    expect(chineseBesides(en.stdout, '')).toEqual([]);

    const zh = await zbport(['run', '--help', '--lang', 'zh'], { env: EN_LOCALE });
    expect(zh.stdout).toContain('选项：');
    expect(zh.stdout).toContain('只读取、校验、查找和匹配，不向 ERP 写入任何数据');
    expect(zh.stdout).not.toMatch(/Read, validate|Options:/);

    const wrong = await zbport(['run', '--lang', 'en'], { env: ZH_LOCALE });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^zbport: Not enough non-option arguments/);
    expect(chineseBesides(wrong.stderr, '')).toEqual([]);
  });
});

describe('an import speaks the language asked for (issue 15)', () => {
  let emu: Emulator;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let data: string;
  let customer: string;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 0 }, users: [{ user: 'admin', password: 'zbport' }], quiet: true });
    env = { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' };
    customer = emu.store.customers()[3].name;
    dir = tempDir('lang-import-');
    const rows = [
      ['客户名称', '联系人姓名', '手机', '生日', '备注'],
      [customer, '张三', '13800000001', '1990-01-02', '第一行'],
      [customer, '李四', '13800000002', '1990-02-30', '日期不对'],
      [customer, '张三', '13800000001', '1990-01-02', '与第 2 行重复'],
      ['没有这个客户有限公司', '王五', '13800000003', '', '找不到客户'],
    ];
    writeCsv(path.join(dir, 'in.csv'), rows);
    data = rows.flat().join('\n');
    writeFileSync(path.join(dir, 'p.yaml'), `name: lang-import
kind: import
entity: contact
source:
  file: in.csv
mapping:
  company: 客户名称
  person_name: 联系人姓名
  mobile: 手机
  year1: 生日
reports:
  dir: reports/{name}-{time}
`);
  });
  afterAll(async () => {
    await emu?.close();
  });

  const run = (flags: string[], locale: NodeJS.ProcessEnv) => zbport(['run', 'p.yaml', '--json', ...flags], { cwd: dir, env: { ...env, ...locale } });
  const summaryOf = (r: { stdout: string; stderr: string }) => {
    expect(r.stdout.trim(), r.stderr).not.toBe('');
    return JSON.parse(r.stdout) as { reports: { rejects: string; results: string }; read: number; rejected: number };
  };
  const results = (file: string) => readFileSync(file, 'utf8');
  async function rejectNotes(file: string): Promise<string> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const notes: string[] = [];
    wb.worksheets[0].eachRow((row) => row.eachCell((cell) => {
      const note = cell.note as unknown;
      if (typeof note === 'string') notes.push(note);
      else if (note && typeof note === 'object' && 'texts' in note) notes.push((note as { texts: Array<{ text: string }> }).texts.map((t) => t.text).join(''));
      if (typeof cell.value === 'string') notes.push(cell.value);
    }));
    return notes.join('\n');
  }

  it('a Chinese locale: the summary, info lines and reasons in Chinese with English alongside; fields by caption', async () => {
    const r = await run([], ZH_LOCALE);
    expect(r.code, r.stderr).toBe(1);
    const s = summaryOf(r);
    expect(s).toMatchObject({ read: 4, rejected: 3 });
    expect(r.stderr).toMatch(/lang-import: 读取 4 行 = 有效 3 \+ 无效 1；/);
    expect(r.stderr).toMatch(/\n {2}4 rows read = 3 valid \+ 1 invalid; /);
    expect(r.stderr).toContain('导入联系人到 ');
    expect(r.stderr).toContain('/ importing contact rows into ');
    expect(r.stderr).toContain('未映射、不导入的列 / ignored columns (not mapped): 备注');
    expect(r.stderr).toContain('被拒绝的行（修改后重新导入此文件） / rejected rows (fix and re-import this file): ');
    // Reasons name fields by their captions and the match key by the file's headers.
    const csv = results(s.reports.results);
    expect(csv).toContain('生日不是有效日期');
    expect(csv).toContain('与第 2 行重复（匹配键：客户名称+联系人姓名+手机）');
    expect(csv).not.toMatch(/year1|person_name|company\+/);
    const notes = await rejectNotes(s.reports.rejects);
    expect(notes).toContain('生日 (year1) is not a valid date');
    expect(notes).toContain('与第 2 行重复（匹配键：客户名称+联系人姓名+手机）');
    expect(notes).not.toMatch(/(^|\n)year1 is not/);
  });

  it('--lang en: English only, Chinese only where the data is', async () => {
    const r = await run(['--lang', 'en'], ZH_LOCALE);
    expect(r.code, r.stderr).toBe(1);
    const s = summaryOf(r);
    expect(r.stderr).toMatch(/lang-import: 4 rows read = 3 valid \+ 1 invalid; valid rows: created 0, updated 0, unchanged 1/);
    expect(r.stderr).toContain('importing contact rows into ');
    expect(r.stderr).toContain('ignored columns (not mapped): 备注');
    expect(r.stderr).toContain('rejected rows (fix and re-import this file): ');
    expect(chineseBesides(r.stderr, data)).toEqual([]);
    const csv = results(s.reports.results);
    expect(csv).toContain('生日 (year1) is not a valid date');
    expect(csv).toContain('duplicate of row 2 (match key: 客户名称+联系人姓名+手机)');
    // The file's header keeps its shape (行号 row, 结果 outcome…); the reasons are English.
    expect(chineseBesides(csv.slice(csv.indexOf('\n')), data)).toEqual([]);
  });

  it('--lang zh: Chinese only', async () => {
    const r = await run(['--lang', 'zh'], EN_LOCALE);
    expect(r.code, r.stderr).toBe(1);
    summaryOf(r);
    expect(r.stderr).toMatch(/lang-import: 读取 4 行 = 有效 3 \+ 无效 1；有效行：创建 0，更新 0，无变化 1，跳过 0，查找或匹配拒绝 2，失败 0；共拒绝 3 行，用时 [\d.]+ 秒/);
    expect(r.stderr).toContain('导入联系人到 ');
    expect(r.stderr).toContain('未映射、不导入的列：备注');
    expect(r.stderr).toContain('被拒绝的行（修改后重新导入此文件）：');
    expect(r.stderr).not.toMatch(/rows read|importing|ignored columns|rejected rows|run report/);
  });
});
