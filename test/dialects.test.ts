/**
 * Issue 11: meeting an installation that is not zbport's own guess. For every emulator dialect,
 * `zbport doctor` reads the server and writes a profile; with that profile the unchanged sample
 * pipelines (contact import, follow-up import, export, template) give the same row outcomes and
 * the same exported cells as against the default dialect. All through the real command, in a
 * folder of its own, against the emulator as a real HTTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DIALECT_NAMES, DIALECTS, startEmulator, type Emulator } from '../src/emulator/index.js';
import { openXlsx } from '../src/sources/xlsx/index.js';
import { cellText } from '../src/sources/types.js';
import { tempDir } from './helpers/files.js';
import { STACK_TRACE, zbport } from './helpers/cli.js';

/** One clock for every emulator, so records created by the runs carry the same 添加时间. */
const CLOCK = () => new Date('2026-11-28T10:00:00');
const SEED = { customers: 200, contacts: 600, randomSeed: 20240601 };

interface Installed {
  emu: Emulator;
  dir: string;
  env: NodeJS.ProcessEnv;
  profile?: string;
}

/** A folder holding the samples exactly as the repository ships them. */
function workspace(): string {
  const dir = tempDir('zbport-dialect-');
  cpSync('pipelines', path.join(dir, 'pipelines'), { recursive: true });
  cpSync('fixtures', path.join(dir, 'fixtures'), { recursive: true });
  return dir;
}

async function install(dialect: string): Promise<Installed> {
  const emu = await startEmulator({ port: 0, seed: SEED, dialect, now: CLOCK, quiet: true });
  return { emu, dir: workspace(), env: { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' } };
}

function summaryOf(stdout: string) {
  return JSON.parse(stdout) as Record<string, unknown> & { reports: { results: string } };
}

/** Each source row's outcome (ords differ between ERPs: each assigns its own). */
function outcomes(resultsFile: string): string[] {
  return readFileSync(resultsFile, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(',').slice(0, 2).join(','))
    .sort((a, b) => Number(a.split(',')[0]) - Number(b.split(',')[0]));
}

const COUNTS = ['read', 'valid', 'rejected', 'created', 'updated', 'unchanged', 'skipped', 'failed', 'doneEarlier'];
const counts = (s: Record<string, unknown>) => Object.fromEntries(COUNTS.map((k) => [k, s[k]]));

async function exportedRows(file: string): Promise<{ header: string[]; rows: string[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const ordCol = header.indexOf('数据唯一标识');
  const rows: string[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const cells = header.map((_, i) => {
      const v = row.getCell(i + 1).value;
      return v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v);
    });
    // A contact the runs created has an ord each ERP chose: compare everything else.
    if (Number(cells[ordCol]) > SEED.customers + SEED.contacts) cells[ordCol] = 'new';
    rows.push(cells.join('|'));
  });
  return { header, rows: rows.sort() };
}

interface Results {
  doctor: { code: number; stderr: string };
  /** Changes the doctor made to the ERP's store (saves, allocations): none. */
  doctorWrites: number;
  profile?: Record<string, unknown>;
  imported: Record<string, unknown>;
  importOutcomes: string[];
  again: Record<string, unknown>;
  followups: Record<string, unknown>;
  followupOutcomes: string[];
  exported: { header: string[]; rows: string[] };
  templateCustomers: string[];
}

async function runSamples(inst: Installed, withProfile: boolean): Promise<Results> {
  const o = { cwd: inst.dir, env: inst.env };
  const version = inst.emu.store.version;
  const doctor = withProfile ? await zbport(['doctor', '--out', 'installations/erp.yaml'], o) : { code: 0, stderr: '' };
  const doctorWrites = inst.emu.store.version - version;
  const flag = withProfile ? ['--installation', 'installations/erp.yaml'] : [];
  const imp = await zbport(['run', 'pipelines/contacts-import.yaml', '--json', ...flag], o);
  expect(imp.code, imp.stderr).toBe(0);
  const imported = summaryOf(imp.stdout);
  const again = await zbport(['run', 'pipelines/contacts-import.yaml', '--json', ...flag], o);
  expect(again.code, again.stderr).toBe(0);
  const fu = await zbport(['run', 'pipelines/followups-import.yaml', '--json', ...flag], o);
  expect(fu.code, fu.stderr).toBe(0);
  const followups = summaryOf(fu.stdout);
  const exp = await zbport(['run', 'pipelines/contacts-export.yaml', '--output', 'exports/all.xlsx', ...flag], o);
  expect(exp.code, exp.stderr).toBe(0);
  const tpl = await zbport(['template', 'pipelines/contacts-import.yaml', '--out', 'template.xlsx', ...flag], o);
  expect(tpl.code, tpl.stderr).toBe(0);
  // Our own reader: exceljs expands the template's whole-column validations cell by cell.
  const hidden = await openXlsx({ file: path.join(inst.dir, 'template.xlsx'), sheet: '_客户', headerRow: 1 });
  const names = [cellText(hidden.headers[0] ?? '')];
  for await (const r of hidden.rows) names.push(cellText(r.cells[0]));
  await hidden.close();
  for (const r of [imp, again, fu, exp, tpl]) expect(r.stderr).not.toMatch(STACK_TRACE);
  return {
    doctor,
    doctorWrites,
    profile: withProfile ? (parseYaml(readFileSync(path.join(inst.dir, 'installations/erp.yaml'), 'utf8')) as Record<string, unknown>) : undefined,
    imported,
    importOutcomes: outcomes(imported.reports.results),
    again: summaryOf(again.stdout),
    followups,
    followupOutcomes: outcomes(followups.reports.results),
    exported: await exportedRows(path.join(inst.dir, 'exports/all.xlsx')),
    templateCustomers: names,
  };
}

describe('every emulator dialect, met through `zbport doctor`', () => {
  const installed: Record<string, Installed> = {};
  const results: Record<string, Results> = {};
  beforeAll(async () => {
    for (const d of DIALECT_NAMES) installed[d] = await install(d);
  });
  afterAll(async () => {
    for (const i of Object.values(installed)) await i.emu.close();
  });

  for (const dialect of DIALECT_NAMES) {
    it(`${dialect}: the doctor's profile, then the unchanged sample pipelines`, async () => {
      const inst = installed[dialect];
      const r = await runSamples(inst, true);
      results[dialect] = r;
      expect(r.doctor.code, r.doctor.stderr).toBe(0);
      // The doctor read, and wrote nothing to the ERP.
      expect(r.doctorWrites).toBe(0);
      expect(r.doctor.stderr).toMatch(/只读|read only/);
      expect(r.doctor.stderr).toMatch(/person_name/);
      // The profile maps every column the dialect serves (with data) to the field it carries.
      const truth = DIALECTS[dialect].lists;
      const lists = (r.profile as { lists: Record<string, { columns: Record<string, string> }> }).lists;
      for (const [list, cols] of Object.entries(truth)) {
        for (const c of cols) expect(lists[list]?.columns[c.field!], `${dialect} ${list}.${c.field}`).toBe(c.id);
      }
      expect(r.imported).toMatchObject({ read: 20, valid: 20, created: 20, failed: 0 });
      expect(r.again).toMatchObject({ created: 0, unchanged: 20, failed: 0 });
      expect(r.followups).toMatchObject({ read: 12, created: 12, failed: 0, rejected: 0 });
      // The follow-ups went in with this installation's enum ids (跟进方式).
      const sortIds = new Set(Object.values(DIALECTS[dialect].enums.sort ?? { 电话: '481', 邮件: '482', 上门: '483', 其他: '484' }));
      for (const f of inst.emu.store.followups()) expect(sortIds.has(f.sort), `sort ${f.sort}`).toBe(true);
    });
  }

  it('gives every dialect the row outcomes, exported cells and company list of the default one', () => {
    const base = results.standard;
    expect(base, 'the standard dialect ran first').toBeDefined();
    for (const d of DIALECT_NAMES.filter((x) => x !== 'standard')) {
      const r = results[d];
      expect(counts(r.imported), d).toEqual(counts(base.imported));
      expect(r.importOutcomes, d).toEqual(base.importOutcomes);
      expect(counts(r.again), d).toEqual(counts(base.again));
      expect(counts(r.followups), d).toEqual(counts(base.followups));
      expect(r.followupOutcomes, d).toEqual(base.followupOutcomes);
      expect(r.exported, d).toEqual(base.exported);
      expect(r.templateCustomers, d).toEqual(base.templateCustomers);
    }
  });
});

describe('without a profile', () => {
  for (const dialect of DIALECT_NAMES.filter((d) => d !== 'standard')) {
    it(`${dialect}: checks zbport's guess against the server's data, calibrates, says so, and imports exactly once`, async () => {
      const inst = await install(dialect);
      try {
        const o = { cwd: inst.dir, env: inst.env };
        const first = await zbport(['run', 'pipelines/contacts-import.yaml', '--json'], o);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stderr).toMatch(/自动校准|calibrated/);
        expect(summaryOf(first.stdout)).toMatchObject({ created: 20, failed: 0 });
        const again = await zbport(['run', 'pipelines/contacts-import.yaml', '--json'], o);
        expect(summaryOf(again.stdout)).toMatchObject({ created: 0, unchanged: 20 });
        expect(inst.emu.store.contacts().length).toBe(SEED.contacts + 20);
      } finally {
        await inst.emu.close();
      }
    });
  }
});

describe('a profile that leaves a needed column unmapped', () => {
  it('stops with exit 2 before any save, naming the field and listing the columns the ERP returned', async () => {
    const inst = await install('pinyin');
    try {
      const o = { cwd: inst.dir, env: inst.env };
      const doctor = await zbport(['doctor', '--out', 'installations/erp.yaml'], o);
      expect(doctor.code, doctor.stderr).toBe(0);
      const file = path.join(inst.dir, 'installations/erp.yaml');
      const text = readFileSync(file, 'utf8').replace(/^\s+mobile: "sj".*$/m, '');
      mkdirSync(path.join(inst.dir, 'edited'), { recursive: true });
      const edited = path.join(inst.dir, 'edited/erp.yaml');
      writeFileSync(edited, text);
      const before = { saves: inst.emu.counters.saves, contacts: inst.emu.store.contacts().length };
      const r = await zbport(['run', 'pipelines/contacts-import.yaml', '--installation', 'edited/erp.yaml'], o);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/手机 \(mobile\)/);
      expect(r.stderr).toMatch(/lists\.contact\.columns\.mobile/);
      expect(r.stderr).toMatch(/\bsj\b.*= 1\d{10}/); // the columns the ERP returned, with a sample
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(inst.emu.counters.saves).toBe(before.saves);
      expect(inst.emu.store.contacts().length).toBe(before.contacts);
      // No report folder claims rows were processed.
      const reports = path.join(inst.dir, 'reports');
      expect(existsSync(reports) ? readdirSync(reports) : []).toEqual([]);
    } finally {
      await inst.emu.close();
    }
  });
});
