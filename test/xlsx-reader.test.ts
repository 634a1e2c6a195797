/**
 * The streaming XLSX reader on workbooks saved by a real office suite (LibreOffice: sheet
 * before shared strings, rich-text runs) and on every cell kind an admin's file holds.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openXlsx } from '../src/sources/xlsx/index.js';
import { XlsxZip } from '../src/sources/xlsx/zip.js';
import { InputError } from '../src/errors.js';
import type { SourceRow } from '../src/sources/types.js';
import { LARGE_HEADERS, LARGE_ROWS, largeRow } from './helpers/xlsx-content.js';
import { tempDir, writeXlsx } from './helpers/files.js';
import { tool } from './helpers/tools.js';

const office = tool('soffice', 'LibreOffice; .ci/run installs libreoffice-calc-nogui');
const itWithOffice = office.run ? it : it.skip;

const LO = 'fixtures/xlsx/libreoffice-30000.xlsx';
const EDGE = 'fixtures/xlsx/edge-cases.xlsx';

async function all(file: string, opts: { sheet?: string | number; headerRow?: number } = {}) {
  const r = await openXlsx({ file, ...opts });
  const rows: SourceRow[] = [];
  for await (const row of r.rows) rows.push(row);
  return { reader: r, rows };
}

describe('XLSX reader', () => {
  it('reads a 30,000-row workbook saved by LibreOffice exactly, cell by cell', async () => {
    const zip = await XlsxZip.open(LO);
    const names = zip.names();
    zip.close();
    // The trap is present: the sheet comes before the shared strings in the zip.
    expect(names.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(names.indexOf('xl/sharedStrings.xml'));
    const { reader, rows } = await all(LO);
    expect(reader.sheet).toBe('联系人');
    expect(reader.headers).toEqual(LARGE_HEADERS);
    expect(rows).toHaveLength(LARGE_ROWS);
    let bad = 0;
    for (let i = 1; i <= LARGE_ROWS; i++) {
      const want = largeRow(i);
      const got = rows[i - 1];
      const ok = got.row === i + 1
        && got.cells[0] === want.company
        && got.cells[1] === want.name
        && got.cells[2] === String(want.mobileNumber)
        && typeof got.cells[3] === 'object' && got.cells[3].kind === 'date' && got.cells[3].text === want.birthdayText
        && got.cells[4] === String(want.age)
        && got.cells[5] === want.note
        && got.cells[6] === String(want.zip).padStart(5, '0');
      if (!ok) {
        bad++;
        if (bad < 3) expect(got.cells).toEqual(want);
      }
    }
    expect(bad).toBe(0);
    expect(rows.some((r) => JSON.stringify(r.cells).includes('\uFFFD'))).toBe(false);
  });

  it('gives dates without a timezone shift, whatever TZ the process runs in', () => {
    const script = `import('${path.resolve('src/sources/xlsx/index.ts')}').then(async (m) => { const r = await m.openXlsx({ file: '${path.resolve(EDGE)}' }); for await (const row of r.rows) { console.log(JSON.stringify(row.cells[2] ?? null)); } })`;
    const outputs = ['UTC', 'Asia/Shanghai', 'America/Los_Angeles'].map((TZ) =>
      execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, TZ }, encoding: 'utf8' }),
    );
    expect(outputs[0]).toContain('"1985-12-31"');
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it('turns every kind of cell into what a person sees', async () => {
    const { reader, rows } = await all(EDGE);
    expect(reader.sheet).toBe('数据');
    expect(reader.headers).toEqual(['名称', '数值', '日期', '公式', '错误', '布尔', '邮编', '日期时间']);
    const [r2, r3, r4, r6, r7] = rows;
    expect(r2.row).toBe(2);
    expect(r2.cells).toEqual(['客户00001有限公司', '13800138000', { kind: 'date', text: '1985-12-31' }, '27600276000', { kind: 'error', text: '#N/A' }, 'TRUE', '01234', { kind: 'date', text: '2024-01-02 13:45:00' }]);
    // exceljs stores 1900-01-01 as serial 2 (its dates before 1900-03-01 are a day late); Excel shows serial 2 as 1900-01-02.
    expect(r3.cells.slice(0, 7)).toEqual(['0.1+0.2', '0.3', { kind: 'date', text: '1900-01-02' }, '0.1+0.2!', { kind: 'error', text: '#DIV/0!' }, 'FALSE', '00001']);
    expect(r4).toEqual({ row: 4, cells: ['隔行'] });
    expect(r6.row).toBe(6); // empty row 5 skipped, row numbers kept
    expect(r6.cells[2]).toEqual({ kind: 'date', text: '2000-02-29' });
    expect(r6.cells[7]).toBe('第六行');
    expect(r7.cells[0]).toBe('客户00002有限公司'); // rich text runs joined
  });

  it('chooses sheets by name or number, with a header further down', async () => {
    const { reader, rows } = await all(EDGE, { sheet: '表头在第三行', headerRow: 3 });
    expect(reader.headers).toEqual(['姓名', '手机']);
    expect(rows).toEqual([{ row: 4, cells: ['张三', '13900000000'] }]);
    expect((await all(EDGE, { sheet: 2 })).reader.sheet).toBe('隐藏');
    const missing = await openXlsx({ file: EDGE, sheet: '没有' }).catch((e) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.details.join()).toContain('数据, 隐藏, 表头在第三行, 空表');
  });

  it('reads inline strings and cells without references, as other writers produce', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'inline.xlsx');
    await writeXlsx(file, { S: [['a']] });
    const JSZip = (await import('jszip')).default;
    const zip = await JSZip.loadAsync(readFileSync(file));
    const sheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>备注</t></is></c></row>
<row><c t="inlineStr"><is><r><t>张</t></r><r><t>三</t></r><rPh><t>zhang</t></rPh></is></c><c t="inlineStr"><is><t>行一_x000D_行二 &amp; &lt;ok&gt;</t></is></c></row>
<row r="5"><c r="B5" t="str"><v>公式文本</v></c></row></sheetData></worksheet>`;
    zip.file('xl/worksheets/sheet1.xml', sheet);
    writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer' }));
    const { reader, rows } = await all(file);
    expect(reader.headers).toEqual(['姓名', '备注']);
    expect(rows).toEqual([{ row: 2, cells: ['张三', '行一\r行二 & <ok>'] }, { row: 5, cells: [undefined, '公式文本'] }]);
  });

  it('says clearly what is wrong with files that are not workbooks', async () => {
    const dir = tempDir();
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['truncated.xlsx', readFileSync(EDGE).subarray(0, 3000), /不是有效|corrupt|truncated/],
      ['junk.xlsx', Buffer.from('PK\u0003\u0004 this is not really a zip at all'), /不是有效|corrupt|truncated/],
      ['notbook.xlsx', await (async () => {
        const JSZip = (await import('jszip')).default;
        const z = new JSZip();
        z.file('readme.txt', 'hello');
        return z.generateAsync({ type: 'nodebuffer' });
      })(), /不是 Excel 工作簿|not an Excel workbook/],
    ];
    for (const [name, content, pattern] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      const err = await all(file).catch((e) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(pattern);
    }
    const empty = await openXlsx({ file: EDGE, sheet: '空表' }).catch((e) => e);
    expect(empty).toBeInstanceOf(InputError);
    expect(empty.message).toMatch(/没有表头|no header/);
  });

  it('reads a header-only sheet as zero rows', async () => {
    const dir = tempDir();
    const file = await writeXlsx(path.join(dir, 'h.xlsx'), { S: [['姓名', '手机']] });
    const { reader, rows } = await all(file);
    expect(reader.headers).toEqual(['姓名', '手机']);
    expect(rows).toEqual([]);
  });

  // The committed fixture above is the office-suite proof; this re-checks with the local install.
  itWithOffice(`reads the same workbook after LibreOffice saves it again now${office.note}`, async () => {
    office.assertAvailable();
    const dir = tempDir();
    copyFileSync(EDGE, path.join(dir, 'in.xlsx'));
    execFileSync('soffice', ['--headless', '--calc', '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', path.join(dir, 'out'), path.join(dir, 'in.xlsx')], { stdio: 'ignore' });
    const { rows } = await all(path.join(dir, 'out', 'in.xlsx'));
    expect(rows[0].cells.slice(0, 3)).toEqual(['客户00001有限公司', '13800138000', { kind: 'date', text: '1985-12-31' }]);
    expect(rows.find((r) => r.row === 7)?.cells[0]).toBe('客户00002有限公司');
  }, 60_000);
});
