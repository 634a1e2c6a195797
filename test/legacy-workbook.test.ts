/**
 * Legacy workbooks: Excel 97-2003 (.xls) and OpenDocument (.ods) files saved by LibreOffice from
 * the .xlsx fixtures (scripts/make-legacy-fixtures.mts), and WPS .et files. They give the rows the
 * .xlsx gives, import to the same outcomes, show cells as people see them, and hostile files end
 * as InputErrors naming the file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { InputError } from '../src/errors.js';
import { openSource } from '../src/sources/index.js';
import { LEGACY_LIMITS, openLegacy, type LegacyOptions } from '../src/sources/legacy/index.js';
import { openXlsx } from '../src/sources/xlsx/index.js';
import type { Cell, SourceReader, SourceRow } from '../src/sources/types.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir } from './helpers/files.js';

const L = 'fixtures/legacy';
const dir = tempDir('zbport-legacy-');

async function readAll(r: SourceReader) {
  const rows: SourceRow[] = [];
  for await (const row of r.rows) rows.push(row);
  return { sheet: r.sheet, headers: r.headers, headerRow: r.headerRow, rows };
}
const read = async (file: string, o: { sheet?: string | number; headerRow?: number } = {}) => readAll(await openSource({ file, ...o }));

async function failure(o: LegacyOptions | (() => Promise<unknown>)): Promise<InputError> {
  const err = await (typeof o === 'function' ? o() : openLegacy(o)).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

/** SheetJS reads .ods text by ODF's white-space rules, which drop a space at the end of a cell. */
const trimEnds = (rows: SourceRow[]) => rows.map((r) => ({ ...r, cells: r.cells.map((c) => (typeof c === 'string' ? c.trimEnd() : c)) }));

const date = (text: string): Cell => ({ kind: 'date', text });
const error = (text: string): Cell => ({ kind: 'error', text });

describe('legacy workbooks give the rows of the .xlsx they were saved from', () => {
  const cases: Array<[string, string, { sheet?: string | number; headerRow?: number }]> = [
    ['fixtures/contacts-sample.xlsx', `${L}/contacts-sample`, { sheet: '联系人' }],
    [`${L}/contacts-mixed.xlsx`, `${L}/contacts-mixed`, {}],
    [`${L}/cells.xlsx`, `${L}/cells`, { sheet: '数据', headerRow: 3 }],
  ];
  for (const [xlsx, base, opts] of cases) {
    for (const ext of ['.xls', '.et', '.ods']) {
      if (ext === '.et' && base.endsWith('cells')) continue;
      it(`${path.basename(base)}${ext}`, async () => {
        const want = await read(xlsx, opts);
        const got = await read(`${base}${ext}`, opts);
        expect(got.sheet).toBe(want.sheet);
        expect(got.headerRow).toBe(want.headerRow);
        expect(got.headers).toEqual(want.headers);
        let rows = want.rows;
        if (ext === '.ods') rows = trimEnds(rows);
        if (ext !== '.ods' && base.endsWith('cells')) {
          // LibreOffice's .xls export writes no cached value for a formula whose result is text
          // (Excel writes it in a STRING record, which SheetJS reads): that cell holds 0.
          rows = rows.map((r) => (r.row === 6 ? { ...r, cells: r.cells.map((c, i) => (i === 5 ? '0' : c)) } : r));
        }
        expect(got.rows).toEqual(rows);
      });
    }
  }
});

describe('cells as people see them', () => {
  for (const ext of ['.xls', '.ods']) {
    it(`${ext}: full mobiles, padded and text-formatted numbers, dates, formulas, errors, row numbers`, async () => {
      const r = await read(`${L}/cells${ext}`, { sheet: '数据', headerRow: 3 });
      expect(r.headers).toEqual(['名称', '手机', '邮编', '生日', '时间', '公式', '错误', '布尔', '小数', '文本数字']);
      // Row 5 is empty and skipped; row numbers are those Excel shows.
      expect(r.rows.map((x) => x.row)).toEqual([4, 6]);
      const [a, b] = r.rows.map((x) => x.cells);
      expect(a[1]).toBe('13912345678'); // a mobile stored as a number, never 1.39E+10
      expect(b[1]).toBe('18600000000');
      expect([a[2], b[2]]).toEqual(['010010', '000001']); // numbers shown through 000000
      expect([a[9], b[9]]).toEqual(['0123456', '000001']); // text-formatted: leading zeros kept
      expect([a[3], b[3]]).toEqual([date('1985-12-31'), date('2000-02-29')]);
      expect(a[4]).toEqual(date('2024-01-02 13:45:30'));
      expect(b[4]).toBeUndefined();
      expect(a[5]).toBe('27824691356'); // a formula as its cached result
      if (ext === '.ods') expect(b[5]).toBe('客户00002有限公司!');
      expect([a[6], b[6]]).toEqual([error('#N/A'), error('#DIV/0!')]);
      expect([a[7], b[7]]).toEqual(['TRUE', 'FALSE']);
      expect([a[8], b[8]]).toEqual(['0.3', '3.14']);
    });

    it(`${ext}: a workbook in the 1904 date system`, async () => {
      const r = await read(`${L}/dates-1904${ext}`);
      expect(r.rows).toEqual([
        { row: 2, cells: ['张三', date('1985-12-31'), date('2024-01-02 08:30:00')] },
        { row: 3, cells: ['李四', date('1904-01-02')] },
      ]);
    });

    it(`${ext}: sheets by index and by name, as the .xlsx reader chooses them`, async () => {
      const file = `${L}/cells${ext}`;
      expect((await read(file)).sheet).toBe('说明'); // default: the first sheet
      expect((await read(file, { sheet: 2, headerRow: 3 })).sheet).toBe('数据');
      expect((await read(file, { sheet: '2', headerRow: 3 })).sheet).toBe('数据');
      expect((await read(file, { sheet: ' 数据 ', headerRow: 3 })).sheet).toBe('数据');
      const missing = await failure(() => read(file, { sheet: '联系人' }));
      expect(missing.message).toContain(file);
      expect(missing.message).toContain('没有名为“联系人”的工作表 / no sheet `联系人`');
      expect(missing.details).toEqual(['sheets: 说明, 数据, 空表']);
      const noHeader = await failure(() => read(file, { sheet: '数据', headerRow: 2 }));
      expect(noHeader.message).toContain('sheet `数据` has no header in row 2');
      const empty = await failure(() => read(file, { sheet: '空表' }));
      expect(empty.message).toContain('sheet `空表` has no header in row 1');
    });
  }

  it('an Excel 95 (BIFF5) workbook reads too', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['name', 'mobile'], ['Zhang San', 13912345678]]), 'contacts');
    const file = path.join(dir, 'excel95.xls');
    writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'biff5' }) as Buffer);
    const r = await read(file);
    expect(r.headers).toEqual(['name', 'mobile']);
    expect(r.rows).toEqual([{ row: 2, cells: ['Zhang San', '13912345678'] }]);
  });

  it('a date in one of Chinese Excel’s built-in formats that the file does not spell out', async () => {
    // Format 31 is yyyy"年"m"月"d"日" in Chinese Excel; files refer to it by number alone.
    XLSX.SSF.load('yyyy"年"m"月"d"日"', 31);
    const ws = XLSX.utils.aoa_to_sheet([['生日'], [{ t: 'n', v: 31412, z: 'yyyy"年"m"月"d"日"' }]]);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, '联系人');
    const buf = XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer;
    expect(buf.includes(Buffer.from('年', 'utf16le'))).toBe(false); // no FORMAT record for it
    const file = path.join(dir, 'builtin-31.xls');
    writeFileSync(file, buf);
    expect((await read(file)).rows).toEqual([{ row: 2, cells: [date('1985-12-31')] }]);
  });

  it('reports progress and lets go of the reading thread when closed early', async () => {
    const r = await openSource({ file: `${L}/contacts-sample.xls` });
    expect(r.progress?.()).toEqual({ done: 0, total: 20 });
    const it = r.rows[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ row: 2 });
    expect(r.progress?.().done).toBe(20); // the first batch holds the whole small sheet
    await r.close();
    await r.close();
  });
});

describe('hostile files end as an InputError naming the file', () => {
  it('a corrupt .xls (an OLE2 header and nothing else)', async () => {
    const file = path.join(dir, 'header-only.xls');
    writeFileSync(file, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]));
    const err = await failure(() => openSource({ file }));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/损坏.*corrupt/);
  });

  it('a truncated .xls', async () => {
    const file = path.join(dir, 'truncated.xls');
    writeFileSync(file, readFileSync(`${L}/contacts-sample.xls`).subarray(0, 4096));
    expect((await failure(() => openSource({ file }))).message).toMatch(/损坏.*corrupt/);
  });

  it(`a file above the ${LEGACY_LIMITS.maxFileBytes / 2 ** 20} MB cap, before anything is read`, async () => {
    const file = path.join(dir, 'huge.xls');
    const fd = openSync(file, 'w');
    writeSync(fd, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
    ftruncateSync(fd, LEGACY_LIMITS.maxFileBytes + 1); // sparse: no disk space used
    closeSync(fd);
    const err = await failure(() => openSource({ file }));
    expect(err.message).toContain(file);
    expect(err.message).toContain(`over the ${LEGACY_LIMITS.maxFileBytes / 2 ** 20} MB cap`);
  });

  it('an OLE2 file that is not a workbook (a Word document)', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'WordDocument', Buffer.alloc(1024, 1));
    const file = path.join(dir, 'letter.xls');
    writeFileSync(file, XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer);
    expect((await failure(() => openSource({ file }))).message).toContain('not an Excel workbook');
  });

  it('a password-protected workbook (an encrypted .xlsx is an OLE2 file too)', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0, ...Array<number>(200).fill(0)]));
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptedPackage', Buffer.alloc(4096, 7));
    const file = path.join(dir, 'locked.xlsx');
    writeFileSync(file, XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer);
    expect((await failure(() => openSource({ file }))).message).toContain('password-protected');
  });

  it('a web page saved under an .xls name', async () => {
    const file = path.join(dir, 'export.xls');
    writeFileSync(file, '<html><body><table><tr><td>客户名称</td></tr></table></body></html>');
    expect((await failure(() => openSource({ file }))).message).toContain('is not an Excel 97-2003 workbook');
  });

  /** An .ods as office suites write it: `mimetype` first and stored, then the parts. */
  const ods = async (content: string) => {
    const zip = new JSZip();
    zip.file('mimetype', 'application/vnd.oasis.opendocument.spreadsheet', { compression: 'STORE' });
    zip.file('META-INF/manifest.xml', '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>');
    zip.file('styles.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>');
    zip.file('content.xml', content);
    return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  };
  const table = (rows: string) => `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">${rows}</table:table></office:spreadsheet></office:body></office:document-content>`;

  it('an .ods told apart from an .xlsx by its content, whatever its name', async () => {
    const file = path.join(dir, 'renamed.xlsx');
    writeFileSync(file, await ods(table('<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell></table:table-row>')));
    expect((await read(file)).headers).toEqual(['姓名']);
  });

  it('a password-protected .ods', async () => {
    const zip = new JSZip();
    zip.file('mimetype', 'application/vnd.oasis.opendocument.spreadsheet', { compression: 'STORE' });
    zip.file('content.xml', Buffer.alloc(512, 0x9c), { compression: 'STORE' }); // ciphertext
    zip.file('META-INF/manifest.xml', '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>');
    const file = path.join(dir, 'locked.ods');
    writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    expect((await failure(() => openSource({ file }))).message).toContain('password-protected');
  });

  it('an .ods that unpacks to more than the cap is not unpacked', async () => {
    const file = path.join(dir, 'bomb.ods');
    writeFileSync(file, await ods(table(`<table:table-row><table:table-cell office:value-type="string"><text:p>${'x'.repeat(2 * 2 ** 20)}</text:p></table:table-cell></table:table-row>`)));
    expect(readFileSync(file).length).toBeLessThan(64 * 1024);
    const err = await failure({ file, kind: 'ods', limits: { maxOdsXmlBytes: 2 ** 20 } });
    expect(err.message).toContain('unpacks to more than 1 MB');
  });

  it('an .ods whose few bytes repeat one cell a billion times costs the reading thread, not the process', async () => {
    const file = path.join(dir, 'repeat.ods');
    writeFileSync(file, await ods(table('<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')));
    const err = await failure({ file, kind: 'ods', limits: { heapMb: 96 } });
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/memory cap|took longer/);
    // This process goes on, and the next file reads.
    expect((await read(`${L}/contacts-sample.ods`)).rows).toHaveLength(20);
  });

  it('reading that takes too long is stopped', async () => {
    const err = await failure({ file: `${L}/contacts-sample.xls`, kind: 'xls', limits: { timeoutMs: 1 } });
    expect(err.message).toContain('reading took longer than 0 s');
  });
});

/**
 * The sample pipeline, as `npm start` runs it, with `--input`, each time against a fresh emulator
 * seeded alike: the .xlsx and its legacy copies give the same summary, results, rejects and ERP
 * records.
 */
describe('imports from legacy workbooks end as imports from the .xlsx do', () => {
  const emulators: Emulator[] = [];
  afterAll(async () => Promise.all(emulators.map((e) => e.close())));
  const pipeline = path.join(dir, 'contacts-import.yaml');
  writeFileSync(pipeline, readFileSync('pipelines/contacts-import.yaml', 'utf8')
    .replace('dir: reports/{name}/{date}-{time}', `dir: '${dir}/reports/{time}'`)
    .replace('erp:\n  fallback: emulator', `erp:\n  fallback: none\nstateDir: ${dir}/state`));

  async function importOnce(input: string) {
    const emu = await startEmulator({ port: 0, seed: { customers: 60, contacts: 100, randomSeed: 15 }, quiet: true });
    emulators.push(emu);
    const before = new Set(emu.store.contacts().map((c) => c.ord));
    const cap = captureOutput();
    let code: number;
    try {
      code = await runCommand({ pipeline, input, dryRun: false, json: true, fullRefresh: false, quiet: true, env: { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' } });
    } finally {
      cap.restore();
    }
    const summary = JSON.parse(cap.stdout);
    const results = parse(readFileSync(summary.reports.results), { bom: true }) as string[][];
    const ordColumn = results[0].findIndex((h) => /\bord\b/i.test(h));
    const rejects = summary.reports.rejects ? await readAll(await openXlsx({ file: summary.reports.rejects })) : undefined;
    // Records this run created, without what the ERP stamps on them (ord, 添加时间).
    const created = emu.store.contacts().filter((c) => !before.has(c.ord)).map(({ ord: _o, date1: _d, ...rest }) => rest)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const { read, valid, rejected, created: n, updated, unchanged, skipped, failed, problems, unmappedColumns } = summary;
    return {
      code,
      counts: { read, valid, rejected, created: n, updated, unchanged, skipped, failed, problems, unmappedColumns },
      // Rows are reported as they finish, several at a time: compared in source order.
      results: results.slice(1).map((r) => r.filter((_, i) => i !== ordColumn)).sort((a, b) => Number(a[0]) - Number(b[0])),
      rejects,
      created,
    };
  }

  const pairs: Array<[string, string[]]> = [
    ['fixtures/contacts-sample.xlsx', [`${L}/contacts-sample.xls`, `${L}/contacts-sample.ods`, `${L}/contacts-sample.et`]],
    [`${L}/contacts-mixed.xlsx`, [`${L}/contacts-mixed.xls`, `${L}/contacts-mixed.ods`, `${L}/contacts-mixed.et`]],
  ];
  for (const [xlsx, legacy] of pairs) {
    for (const file of legacy) {
      it(`${path.basename(file)} like ${path.basename(xlsx)}`, async () => {
        const want = await importOnce(xlsx);
        const got = await importOnce(file);
        if (xlsx.includes('mixed')) {
          // The comparison means something: rows were created and rows were rejected, one of
          // them after an empty row (row 6 is row 6 in every format).
          expect(want.code).toBe(1);
          expect(want.counts).toMatchObject({ read: 7, created: 2 });
          expect(want.counts.problems).toMatchObject({ LOOKUP_MISS: 1, NOT_INTEGER: 1, BAD_DATE: 1, CELL_ERROR: 1, TOO_LONG: 1, DUPLICATE_IN_FILE: 1 });
          expect(want.results.map((r) => r[0])).toEqual(['2', '3', '4', '6', '7', '8', '9']);
          expect(want.created.find((c) => c.person_name === '旧表甲')).toMatchObject({ mobile: '13912345678', zip: '010010', age: '41' });
        } else {
          expect(want.code).toBe(0);
          expect(want.counts).toMatchObject({ read: 20, created: 20 });
        }
        expect(got.code).toBe(want.code);
        expect(got.counts).toEqual(want.counts);
        expect(got.results).toEqual(want.results);
        expect(got.created).toEqual(want.created);
        if (want.rejects) {
          expect(got.rejects!.headers).toEqual(want.rejects.headers);
          expect(got.rejects!.rows).toEqual(file.endsWith('.ods') ? trimEnds(want.rejects.rows) : want.rejects.rows);
        } else {
          expect(got.rejects).toBeUndefined();
        }
      });
    }
  }
});
