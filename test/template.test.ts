/**
 * Templates: generated from the pipeline and the catalog, readable by a real office suite, their
 * validations present in the file, and a filled template imports with the same verdicts the
 * import's validation gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { templateCommand } from '../src/commands/template.js';
import { runCommand } from '../src/commands/run.js';
import { checkTemplateOrigin } from '../src/template/check-origin.js';
import { loadPipeline } from '../src/definition/load.js';
import type { ImportConfig } from '../src/definition/schema.js';
import { CONTACT_FIELDS } from '../src/catalog/index.js';
import { validateValue } from '../src/validate/index.js';
import { openXlsx } from '../src/sources/xlsx/index.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir } from './helpers/files.js';
import { tool } from './helpers/tools.js';

const office = tool('soffice', 'LibreOffice; .ci/run installs libreoffice-calc-nogui');
const itWithOffice = office.run ? it : it.skip;

let emu: Emulator;
let dir: string;
let template: string;
const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 60, contacts: 10, randomSeed: 21 }, quiet: true });
  dir = tempDir();
  // The sample pipeline, pointed at this test's folders.
  const yaml = readFileSync('pipelines/contacts-import.yaml', 'utf8')
    .replace('dir: reports/{name}/{date}-{time}', `dir: '${dir}/reports/{time}'`)
    .replace('erp:\n  fallback: emulator', `erp:\n  fallback: none\nstateDir: ${dir}/state`);
  writeFileSync(`${dir}/contacts-import.yaml`, yaml);
  template = `${dir}/联系人导入模板.xlsx`;
  const cap = captureOutput();
  try {
    expect(await templateCommand({ pipeline: `${dir}/contacts-import.yaml`, out: template, offline: false, env: env(), quiet: true })).toBe(0);
  } finally {
    cap.restore();
  }
});
afterAll(async () => emu?.close());

async function sheetXml(file: string, name: string): Promise<string> {
  const zip = await JSZip.loadAsync(readFileSync(file));
  const wb = await zip.file('xl/workbook.xml')!.async('string');
  const rels = await zip.file('xl/_rels/workbook.xml.rels')!.async('string');
  const rid = new RegExp(`<sheet [^>]*name="${name}"[^>]*r:id="([^"]+)"`).exec(wb)![1];
  const target = new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${rid}"`).exec(rels)![1];
  return zip.file(target.startsWith('/') ? target.slice(1) : `xl/${target}`)!.async('string');
}

function validations(xml: string): Array<Record<string, string>> {
  return [...xml.matchAll(/<dataValidation ([^>]*)>([\s\S]*?)<\/dataValidation>/g)].map((m) => {
    const attrs = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    return { ...attrs, formula1: /<formula1>([\s\S]*?)<\/formula1>/.exec(m[2])?.[1] ?? '', formula2: /<formula2>([\s\S]*?)<\/formula2>/.exec(m[2])?.[1] ?? '' };
  });
}

describe('templates', () => {
  it('has the pipeline header, notes with each rule, and a validation on every column', async () => {
    const xml = await sheetXml(template, '联系人');
    const v = validations(xml);
    const byCol = new Map(v.map((x) => [x.sqref.replace(/\d.*$/, ''), x]));
    expect(byCol.get('A')).toMatchObject({ type: 'list', formula1: '&apos;_客户&apos;!$A$1:$A$59', errorStyle: 'stop' }); // 60 customers, one name twice
    expect(byCol.get('B')).toMatchObject({ type: 'textLength', operator: 'lessThanOrEqual', formula1: '50', sqref: 'B2:B1048576' });
    expect(byCol.get('B')!.error).toContain('50');
    expect(byCol.get('C')).toMatchObject({ type: 'list', formula1: '&quot;男,女&quot;' });
    expect(byCol.get('D')).toMatchObject({ type: 'whole', formula1: '0', formula2: '150' });
    expect(byCol.get('E')!.type).toBe('date'); // operator 'between' is the OOXML default and is not written
    expect(byCol.get('E')!.formula2).toBeTruthy();
    expect(byCol.get('K')).toMatchObject({ type: 'textLength', formula1: '20' }); // QQ
    expect(byCol.get('M')).toMatchObject({ type: 'textLength', formula1: '10' }); // 邮编
    expect(byCol.get('N')).toMatchObject({ type: 'textLength', formula1: '3000' });
    expect(byCol.get('O')).toMatchObject({ type: 'textLength', formula1: '5000' });
    for (const x of v) {
      expect(x.prompt, x.sqref).toBeTruthy();
      expect(x.error, x.sqref).toMatch(/[\u4e00-\u9fff]/);
    }
    const hidden = await openXlsx({ file: template, sheet: '_客户' });
    const names = [hidden.headers[0]];
    for await (const r of hidden.rows) names.push(String(r.cells[0]));
    expect(names).toContain('华为技术有限公司');
    expect(names).toHaveLength(59);
    const zip = await JSZip.loadAsync(readFileSync(template));
    const wbXml = await zip.file('xl/workbook.xml')!.async('string');
    expect(wbXml).toMatch(/name="_客户"[^>]*state="hidden"|state="hidden"[^>]*name="_客户"/);
    expect(wbXml).toMatch(/name="_zbport"[^>]*state="veryHidden"|state="veryHidden"[^>]*name="_zbport"/);
    expect(wbXml).toContain('name="说明"');
    const comments = Object.keys(zip.files).filter((f) => /comments/.test(f));
    const notes = await zip.file(comments.find((f) => f.endsWith('.xml') && !f.includes('vml'))!)!.async('string');
    expect(notes).toContain('联系人姓名：必填，50字以内');
    // Phone-like columns are text, so leading zeros survive.
    const styles = await zip.file('xl/styles.xml')!.async('string');
    expect(styles).toMatch(/formatCode="@"|numFmtId="49"/);
  });

  itWithOffice(`opens in LibreOffice without repair and keeps its validations${office.note}`, async () => {
    office.assertAvailable();
    const out = `${dir}/lo`;
    execFileSync('soffice', ['--headless', '--calc', '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', out, template], { stdio: 'pipe', timeout: 120_000 });
    const converted = path.join(out, path.basename(template));
    expect(existsSync(converted)).toBe(true);
    const v = validations(await sheetXml(converted, '联系人'));
    expect(v.map((x) => x.type)).toEqual(expect.arrayContaining(['list', 'textLength', 'whole', 'date']));
    expect(v.length).toBeGreaterThanOrEqual(14);
  }, 120_000);

  it('imports a filled template: good rows land, bad rows are rejected for the reasons validation gives', async () => {
    // Rows written with another library (JSZip on the sheet XML), as if typed past the validations.
    const c = emu.store.customers().filter((x) => emu.store.customers().filter((y) => y.name === x.name).length === 1);
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const rows: string[][] = [
      [c[0].name, '模板好行一', '男', '30', '1990-01-02', '', '', '', '13800001111'],
      [c[1].name, '模板好行二', '女', '', '', '', '', '', '13800002222'],
      [c[2].name, `${'名'.repeat(49)}𠮷`, '男'],
      [c[2].name, '坏性别', '未知'],
      [c[2].name, '坏年龄', '女', '3.5'],
      [c[2].name, '坏生日', '女', '', '1990-02-30'],
      ['不存在的客户', '查无客户', '女'],
    ];
    // Under the grey example row (row 2), which stays in place.
    const xmlRows = rows.map((r, i) => `<row r="${i + 3}">${r.map((v, j) => (v ? `<c r="${String.fromCharCode(65 + j)}${i + 3}" t="inlineStr"><is><t>${esc(v)}</t></is></c>` : '')).join('')}</row>`).join('');
    const zip = await JSZip.loadAsync(readFileSync(template));
    const sheetPath = 'xl/worksheets/sheet1.xml';
    const xml = await zip.file(sheetPath)!.async('string');
    zip.file(sheetPath, xml.replace('</sheetData>', `${xmlRows}</sheetData>`));
    const filled = `${dir}/filled.xlsx`;
    writeFileSync(filled, await zip.generateAsync({ type: 'nodebuffer' }));

    const cap = captureOutput();
    let code: number;
    try {
      code = await runCommand({ pipeline: `${dir}/contacts-import.yaml`, input: filled, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
    } finally {
      cap.restore();
    }
    const summary = JSON.parse(cap.stdout);
    expect(code).toBe(1);
    // The example row is not read: 7 rows, none of them 示例.
    expect(summary).toMatchObject({ read: 7, created: 2, rejected: 5 });
    expect(emu.store.contacts().some((x) => x.person_name === '张三')).toBe(false);
    expect(readFileSync(summary.reports.results, 'utf8')).not.toMatch(/\n2,/);
    expect(summary.problems).toEqual({ TOO_LONG: 1, BAD_ENUM: 1, NOT_INTEGER: 1, BAD_DATE: 1, LOOKUP_MISS: 1 });
    expect(emu.store.contacts().filter((x) => x.person_name.startsWith('模板好行'))).toHaveLength(2);
    // The reasons are the validation's own words.
    const results = readFileSync(summary.reports.results, 'utf8');
    const field = (id: string) => CONTACT_FIELDS.find((f) => f.id === id)!;
    for (const [id, value] of [['person_name', rows[2][1]], ['sex', '未知'], ['age', '3.5'], ['year1', '1990-02-30']] as const) {
      const r = validateValue(field(id), value);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(results).toContain(r.message.zh.replace(/"/g, '""'));
    }
    // The template's own origin fits this pipeline: no warning.
    const loaded = await loadPipeline(`${dir}/contacts-import.yaml`);
    if (!loaded.ok) throw new Error('pipeline');
    expect(await checkTemplateOrigin(filled, loaded.pipeline.config as ImportConfig)).toEqual([]);
  });

  it('marks required headers with *, and has a grey example row recorded in the hidden sheet', async () => {
    const sheet = await openXlsx({ file: template, sheet: '联系人' });
    expect(sheet.headers.slice(0, 4)).toEqual(['*客户名称', '*联系人姓名', '性别', '年龄']);
    const rows = [];
    for await (const r of sheet.rows) rows.push(r);
    expect(rows).toHaveLength(1);
    expect(rows[0].row).toBe(2);
    expect(String(rows[0].cells[0])).toMatch(/^示例：/);
    expect(rows[0].cells[1]).toBe('张三');
    const meta = await openXlsx({ file: template, sheet: '_zbport' });
    const records: string[][] = [];
    for await (const r of meta.rows) records.push(r.cells.map(String));
    expect(records).toContainEqual(['exampleRow', '2']);
    // Grey and italic (read from the XML: exceljs's reader expands whole-column validations cell by cell).
    const zip = await JSZip.loadAsync(readFileSync(template));
    const style = Number(/<c r="B2"[^>]* s="(\d+)"/.exec(await sheetXml(template, '联系人'))![1]);
    const styles = await zip.file('xl/styles.xml')!.async('string');
    const xf = [.../<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)![1].matchAll(/<xf [^>]*>/g)][style][0];
    const font = [.../<fonts[^>]*>([\s\S]*?)<\/fonts>/.exec(styles)![1].matchAll(/<font>[\s\S]*?<\/font>/g)][Number(/fontId="(\d+)"/.exec(xf)![1])][0];
    expect(font).toContain('<i/>');
    expect(font).toContain('FF808080');
  });

  it('a row typed over the example, or the first row after it was deleted, is imported', async () => {
    const zip = await JSZip.loadAsync(readFileSync(template));
    const sheetPath = 'xl/worksheets/sheet1.xml';
    const xml = await zip.file(sheetPath)!.async('string');
    const c = emu.store.customers().filter((x) => emu.store.customers().filter((y) => y.name === x.name).length === 1)[5];
    // Row 2 now holds real data: the example was typed over.
    const typedOver = xml.replace(/<row r="2"[\s\S]*?<\/row>/, `<row r="2"><c r="A2" t="inlineStr"><is><t>${c.name}</t></is></c><c r="B2" t="inlineStr"><is><t>覆盖示例行</t></is></c></row>`);
    expect(typedOver).not.toBe(xml);
    zip.file(sheetPath, typedOver);
    const filled = `${dir}/typed-over.xlsx`;
    writeFileSync(filled, await zip.generateAsync({ type: 'nodebuffer' }));
    const cap = captureOutput();
    try {
      expect(await runCommand({ pipeline: `${dir}/contacts-import.yaml`, input: filled, dryRun: true, json: true, fullRefresh: false, quiet: true, env: env() })).toBe(0);
    } finally {
      cap.restore();
    }
    expect(JSON.parse(cap.stdout)).toMatchObject({ read: 1, wouldCreate: 1 });
  });

  it('makes no company dropdown of the emulator\'s made-up customers, and says so', async () => {
    const out = `${dir}/emulator-target.xlsx`;
    const cap = captureOutput();
    try {
      // The sample pipeline falls back to the built-in emulator; no ZB_BASE_URL is set.
      expect(await templateCommand({ pipeline: 'pipelines/contacts-import.yaml', out, offline: false, env: { ZB_BASE_URL: '' }, quiet: true })).toBe(0);
    } finally {
      cap.restore();
    }
    expect(cap.stderr).toMatch(/公司下拉列表只取自真实 ERP.*内置模拟器.*the company dropdown comes from a real ERP only/);
    const zip = await JSZip.loadAsync(readFileSync(out));
    const wbXml = await zip.file('xl/workbook.xml')!.async('string');
    expect(wbXml).not.toContain('_客户');
    const v = validations(await sheetXml(out, '联系人'));
    expect(v.find((x) => x.sqref.startsWith('A'))).toMatchObject({ type: 'textLength' });
    const notes = await openXlsx({ file: out, sheet: '说明' });
    const text: string[] = [notes.headers.join(' ')];
    for await (const r of notes.rows) text.push(r.cells.map((x) => String(x ?? '')).join(' '));
    expect(text.join('\n')).toMatch(/注意：客户列没有下拉列表.*模拟器.*虚构的演示数据/);
    const meta = await openXlsx({ file: out, sheet: '_zbport' });
    const records: string[][] = [];
    for await (const r of meta.rows) records.push(r.cells.map(String));
    expect(records).toContainEqual(['customers', 'emulator']);
  });

  it('warns when a template made for another pipeline or an older catalog is imported', async () => {
    const loaded = await loadPipeline(`${dir}/contacts-import.yaml`);
    if (!loaded.ok) throw new Error('pipeline');
    const other = { ...(loaded.pipeline.config as ImportConfig), name: 'another-pipeline' };
    expect((await checkTemplateOrigin(template, other)).join()).toMatch(/made for pipeline `contacts-import`/);
    const changed = { ...(loaded.pipeline.config as ImportConfig), mapping: { ...(loaded.pipeline.config as ImportConfig).mapping, pym: '拼音' } };
    expect((await checkTemplateOrigin(template, changed)).join()).toMatch(/mapping changed/);
    const zip = await JSZip.loadAsync(readFileSync(template));
    for (const [name, f] of Object.entries(zip.files)) {
      if (!name.endsWith('.xml')) continue;
      const t = await f.async('string');
      if (t.includes('catalogHash')) zip.file(name, t.replace(/[0-9a-f]{16}(?=<\/t>|<\/v>)/g, (h) => (h.startsWith('0') ? '1' : '0') + h.slice(1)));
    }
    const old = `${dir}/old.xlsx`;
    writeFileSync(old, await zip.generateAsync({ type: 'nodebuffer' }));
    expect((await checkTemplateOrigin(old, loaded.pipeline.config as ImportConfig)).join()).toMatch(/older field catalog/);
  });

  it('makes the follow-up template with its enums as dropdowns and schedule-field rules', async () => {
    const out = `${dir}/followups.xlsx`;
    const cap = captureOutput();
    try {
      expect(await templateCommand({ pipeline: 'pipelines/followups-import.yaml', out, offline: true, quiet: true })).toBe(0);
    } finally {
      cap.restore();
    }
    const v = validations(await sheetXml(out, '洽谈进展'));
    const lists = v.filter((x) => x.type === 'list').map((x) => x.formula1);
    expect(lists).toContain('&quot;其他,上门,邮件,电话&quot;');
    expect(lists).toContain('&quot;已完成日程,待完成日程,不生成&quot;');
    expect(lists).toContain('&quot;提醒,不提醒&quot;');
    const intro = v.find((x) => x.formula1.includes('谈的很好'))!;
    expect(intro.showErrorMessage ?? '0').not.toBe('1'); // free text allowed besides the templates
    const zip = await JSZip.loadAsync(readFileSync(out));
    const notes = (await Promise.all(Object.keys(zip.files).filter((f) => /comments\d*\.xml$/.test(f)).map((f) => zip.file(f)!.async('string')))).join();
    expect(notes).toContain('日程类型为“已完成日程”时必填');
  });
});
