/**
 * Issue 12, item 8: counts that add up, through the CLI against the emulator.
 * - A dry run predicts `unchanged` where the real run finds nothing to change: the sample
 *   imported twice (the second dry run and the real run both say unchanged 20), and an export →
 *   2 cells edited → update-from-export round trip (would update 2, then updated 2).
 * - read = valid + invalid; valid = the outcomes of the valid rows, lookup rejections included;
 *   rejected = invalid + lookup rejections + ERP refusals; the summary line, summary.json and
 *   report.html say the same.
 * - The progress of an .xlsx reader follows the rows (inflated bytes against the sheet's
 *   uncompressed size), not the compressed size.
 */
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator } from '../src/emulator/index.js';
import { openXlsx } from '../src/sources/xlsx/index.js';
import { progressLine, progressState } from '../src/report/progress.js';
import { zbport } from './helpers/cli.js';
import { tempDir, writeCsv, writeXlsx } from './helpers/files.js';

type Summary = Record<string, number> & { reports: { report: string; summary: string }; file: string };

function summaryOf(r: { code: number; stdout: string; stderr: string }): Summary {
  expect(r.stdout.trim(), r.stderr).not.toBe('');
  return JSON.parse(r.stdout) as Summary;
}

/** A copy of the sample pipelines and workbook in a folder of its own (the built-in emulator keeps its data there). */
function sampleWorkspace(): string {
  const dir = tempDir('counts-');
  mkdirSync(path.join(dir, 'pipelines'));
  mkdirSync(path.join(dir, 'fixtures'));
  for (const f of ['contacts-import.yaml', 'contacts-export.yaml', 'contacts-update-from-export.yaml']) copyFileSync(path.join('pipelines', f), path.join(dir, 'pipelines', f));
  copyFileSync('fixtures/contacts-sample.xlsx', path.join(dir, 'fixtures', 'contacts-sample.xlsx'));
  return dir;
}

describe('a dry run predicts what the real run then does (issue 12)', () => {
  it('the sample imported a second time: the dry run and the real run both say unchanged 20', async () => {
    const dir = sampleWorkspace();
    const run = (...flags: string[]) => zbport(['run', 'pipelines/contacts-import.yaml', '--json', ...flags], { cwd: dir });
    const first = summaryOf(await run());
    expect(first).toMatchObject({ read: 20, created: 20 });
    const dry = summaryOf(await run('--dry-run'));
    expect(dry).toMatchObject({ dryRun: true, read: 20, unchanged: 20, wouldUpdate: 0, wouldCreate: 0 });
    const again = summaryOf(await run());
    expect(again).toMatchObject({ read: 20, unchanged: 20, updated: 0, created: 0 });
  }, 120_000);

  it('export, 2 cells edited, update from the export: the dry run says would update 2, the real run updated 2', async () => {
    const dir = sampleWorkspace();
    const exported = summaryOf(await zbport(['run', 'pipelines/contacts-export.yaml', '--json', '--full-refresh'], { cwd: dir }));
    expect(exported.rows).toBeGreaterThan(100);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(exported.file as unknown as string);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const intro = header.indexOf('备注');
    const job = header.indexOf('职务');
    expect(intro).toBeGreaterThan(0);
    expect(job).toBeGreaterThan(0);
    ws.getRow(5).getCell(intro).value = '导出后修改的备注';
    ws.getRow(9).getCell(job).value = '新职务';
    // Saved over the export, as an admin does: the update pipeline reads the newest export.
    await wb.xlsx.writeFile(exported.file as unknown as string);

    const run = (...flags: string[]) => zbport(['run', 'pipelines/contacts-update-from-export.yaml', '--json', ...flags], { cwd: dir });
    const dry = summaryOf(await run('--dry-run'));
    expect(dry).toMatchObject({ read: exported.rows, wouldUpdate: 2, unchanged: exported.rows - 2, rejected: 0, failed: 0 });
    const real = summaryOf(await run());
    expect(real).toMatchObject({ read: exported.rows, updated: 2, unchanged: exported.rows - 2, rejected: 0, failed: 0 });
  }, 300_000);
});

describe('counts that add up (issue 12)', () => {
  it('read = valid + invalid; lookup rejections counted as such; the summary line, summary.json and report.html agree', async () => {
    const emu = await startEmulator({ port: 0, seed: { customers: 40, contacts: 80, randomSeed: 5 }, quiet: true });
    try {
      const dir = tempDir('counts-');
      const customers = emu.store.customers();
      const unique = customers.filter((c) => customers.filter((x) => x.name === c.name).length === 1);
      const twin = customers.find((c) => customers.filter((x) => x.name === c.name).length > 1);
      expect(twin).toBeDefined();
      const existing = emu.store.contacts().find((c) => unique.some((u) => u.ord === c.company) && c.mobile)!;
      const existingCompany = customers.find((c) => c.ord === existing.company)!.name;
      const [a, b] = unique.filter((c) => c.ord !== existing.company);
      writeCsv(path.join(dir, 'in.csv'), [
        ['客户名称', '联系人姓名', '手机', '生日'],
        [a.name, '计数甲', '13600000001', ''], // created
        [a.name, '计数乙', '13600000002', ''], // created
        [b.name, '计数丙', '13600000003', ''], // created
        [existingCompany, existing.person_name, existing.mobile, ''], // already there: unchanged
        [a.name, '计数甲', '13600000001', ''], // DUPLICATE_IN_FILE
        ['没有这个客户有限公司', '计数丁', '13600000004', ''], // LOOKUP_MISS
        [twin!.name, '计数戊', '13600000005', ''], // LOOKUP_AMBIGUOUS (two customers, one name)
        [a.name, '', '13600000006', ''], // REQUIRED
        [b.name, '计数己', '13600000007', '1990-02-30'], // BAD_DATE
        [b.name, '计数庚', '13600000008', '不是日期'], // BAD_DATE
        [b.name, '名'.repeat(60), '13600000009', ''], // TOO_LONG
        ['', '计数辛', '13600000010', ''], // REQUIRED (company)
      ]);
      writeFileSync(path.join(dir, 'p.yaml'), `name: counts
kind: import
entity: contact
source: { file: in.csv }
mapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机, year1: 生日 }
reports: { dir: reports }
stateDir: state
`);
      const env = { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' };
      for (const dryRun of [true, false]) {
        const r = await zbport(['run', 'p.yaml', '--json', ...(dryRun ? ['--dry-run'] : [])], { cwd: dir, env });
        const s = summaryOf(r);
        const made = dryRun ? { wouldCreate: 3, unchanged: 1 } : { created: 3, unchanged: 1 };
        expect(s).toMatchObject({ read: 12, valid: 7, invalid: 5, lookupRejected: 3, erpRejected: 0, rejected: 8, failed: 0, ...made });
        expect(s.problems).toMatchObject({ DUPLICATE_IN_FILE: 1, LOOKUP_MISS: 1, LOOKUP_AMBIGUOUS: 1, REQUIRED: 2, BAD_DATE: 2, TOO_LONG: 1 });
        // The identities.
        expect(s.read).toBe(s.valid + s.invalid);
        const outcomes = s.created + s.updated + s.unchanged + s.skipped + s.doneEarlier + s.wouldCreate + s.wouldUpdate + s.wouldSkip;
        expect(s.valid).toBe(outcomes + s.lookupRejected + s.erpRejected + s.failed + s.interrupted);
        expect(s.rejected).toBe(s.invalid + s.lookupRejected + s.erpRejected);
        // The line on stderr says the same.
        expect(r.stderr).toContain('读取 12 行 = 有效 7 + 无效 5');
        expect(r.stderr).toContain('12 rows read = 7 valid + 5 invalid');
        expect(r.stderr).toMatch(/查找或匹配拒绝 3/);
        expect(r.stderr).toMatch(/rejected by lookup or match 3/);
        expect(r.stderr).toMatch(/共拒绝 8 行/);
        expect(r.stderr).toMatch(/8 rejected in all/);
        expect(r.stderr).toContain(dryRun ? 'would create 3' : 'created 3');
        expect(r.stderr).toContain('unchanged 1');
        // report.html shows every count as summary.json holds it.
        const page = readFileSync(s.reports.report, 'utf8');
        const shown = Object.fromEntries([...page.matchAll(/data-testid="count-(\w+)">([\d,]+)</g)].map((m) => [m[1], Number(m[2].replace(/,/g, ''))]));
        for (const k of ['read', 'valid', 'invalid', 'lookupRejected', 'erpRejected', 'rejected', 'unchanged', 'failed', dryRun ? 'wouldCreate' : 'created']) expect(shown[k], k).toBe(s[k]);
      }
    } finally {
      await emu.close();
    }
  }, 120_000);
});

describe('progress of an .xlsx reader (issue 12)', () => {
  it('follows the rows read: inflated bytes against the sheet\'s uncompressed size', async () => {
    const dir = tempDir('counts-');
    const rows = 6000;
    const data: Array<Array<string | number>> = [['客户名称', '联系人姓名', '手机', '备注']];
    for (let i = 0; i < rows; i++) data.push([`客户${i % 50}有限公司`, `联系人${i}`, 13000000000 + i, `第 ${i} 行的备注，重复的文字压缩得很好。`.repeat(2)]);
    const file = await writeXlsx(path.join(dir, 'big.xlsx'), { S: data });
    const reader = await openXlsx({ file });
    const seen: Array<[number, number]> = [];
    let n = 0;
    for await (const _ of reader.rows) {
      n++;
      if (n % 500 === 0) {
        const p = reader.progress!();
        seen.push([n / rows, p.done / p.total]);
      }
      if (n === rows / 2) {
        // What the bar shows halfway, every row read so far finished.
        const line = progressLine('t', { read: n, done: n - 7, rejected: 5, failed: 2 }, progressState({ read: n, done: n - 7, rejected: 5, failed: 2 }, reader.progress!(), 0, undefined));
        const percent = Number(/\] +(\d+)%/.exec(line)![1]);
        expect(percent, line).toBeGreaterThanOrEqual(45);
        expect(percent, line).toBeLessThanOrEqual(55);
      }
    }
    const end = reader.progress!();
    expect(end.done).toBe(end.total);
    expect(seen.length).toBeGreaterThan(5);
    // Not 100% with rows still to come (but the last chunk), and within a few percent of the
    // share of rows read (the stream reads a chunk ahead of the rows handed out).
    for (const [rowShare, byteShare] of seen) {
      const at = `at ${Math.round(rowShare * 100)}% of the rows`;
      if (rowShare <= 0.95) expect(byteShare, at).toBeLessThan(1);
      expect(byteShare, at).toBeLessThanOrEqual(rowShare + 0.05);
      expect(byteShare, at).toBeGreaterThan(rowShare - 0.05);
    }
  });
});
