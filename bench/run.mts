/**
 * `npm run bench`: measures, in one run on this machine, how close zbport gets to its limits and
 * writes the table to bench/results/latest.md and latest.json.
 *
 * 1. Import throughput against the Little's-law bound (concurrency ÷ the per-row service time the
 *    emulator measured), at concurrency 1, 4, 16, 64, with the emulator in its own process.
 * 2. Dry-run throughput next to bare csv-parse on the same file, and peak RSS.
 * 3. XLSX read next to bare exceljs streaming, and peak RSS.
 * 4. Export of 200,000 contacts to .xlsx and .csv.
 * 5. The peer baseline: one save after another, as common scripts do.
 * auto. `write.concurrency: auto` against an emulator that takes N requests at once and queues or
 *    refuses the rest: where the limit settles, and rows/s against N ÷ the service time of a row.
 * BENCH_SCALE=0.1 runs everything at a tenth of the sizes (a quick look).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { customerName } from '../src/emulator/seed.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
/** BENCH_ONLY=import,faults runs some sections only (import, peer, dry, xlsx, export, faults, requests, auto). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const only = (section: string) => !ONLY || ONLY.has(section);
const n = (x: number) => Math.max(100, Math.round(x * SCALE));
const work = mkdtempSync(path.join(tmpdir(), 'zbport-bench-'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const results: Array<Record<string, string | number>> = [];
/** rows/s of the import at each concurrency, unrounded, for the peer row's comparison. */
const importRates = new Map<number, number>();
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

interface Measured {
  rows: number;
  ms: number;
  maxRssMB: number;
  [k: string]: unknown;
}

function measure(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(root, 'bench/measure.mts'), ...args], { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Measured);
      } catch {
        reject(new Error(`measurement ${args[0]} failed (exit ${code}): ${out.slice(-500)}`));
      }
    });
  });
}

async function emulator(args: string[]): Promise<{ url: string; stop(): Promise<void>; stats(): Promise<Record<string, number>> }> {
  const data = mkdtempSync(path.join(work, 'emu-'));
  const child = spawn(process.execPath, [path.join(root, 'bin/zbport.js'), 'emulator', '--port', '0', '--data', data, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c) => {
      err += c;
      const m = /zbport emulator: (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`emulator exited: ${err}`)));
  });
  return {
    url,
    stats: async () => (await (await fetch(`${url}/zbport/stats`)).json()) as Record<string, number>,
    stop: () => new Promise<void>((r) => {
      child.removeAllListeners('exit');
      child.on('exit', () => r());
      child.kill('SIGTERM');
    }),
  };
}

// 23 columns as an old system's contact dump has them: the customer, the contact's 21 fields, the customer id.
const HEADERS = ['客户名称', '联系人姓名', '拼音码', '性别', '年龄', '生日', '部门', '职务', '办公电话', '传真', '手机', '手机2', '家庭电话', '电子邮件', 'QQ', '微信', '喜鹊声声', 'MSN', '籍贯', '邮编', '爱好特长', '备注', '客户ID'];
const FIELD_OF: Record<string, string> = { 联系人姓名: 'person_name', 拼音码: 'pym', 性别: 'sex', 年龄: 'age', 生日: 'year1', 部门: 'part1', 职务: 'job', 办公电话: 'phone', 传真: 'fax', 手机: 'mobile', 手机2: 'mobile2', 家庭电话: 'phone2', 电子邮件: 'email', QQ: 'qq', 微信: 'weixinAcc', 喜鹊声声: 'XiQueIntro', MSN: 'msn', 籍贯: 'jg', 邮编: 'zip', 爱好特长: 'joy', 备注: 'intro' };
const CUSTOMERS = 50;
/**
 * Rows per row in flight: about 13 s of saves at any concurrency, so a run's fixed costs (start,
 * login, the last verification batch, the reports) weigh a few percent, as in a migration, and the
 * auto limit has time to settle (a run of 3 s is mostly its start).
 */
const ROWS_PER_SLOT = 600;

function contactRow(i: number, tag: string): string[] {
  const c = 31 + (i % (CUSTOMERS - 31)); // generated names only: the seed's famous ones include a duplicate
  return [customerName(c), `${tag}${i}`, `lx${i}`, i % 2 ? '男' : '女', String(20 + (i % 50)), `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`, '销售部', '经理', `0755-8${String(1000000 + i).slice(-7)}`, '', `1${String(3e9 + i).padStart(10, '0')}`, '', '', `u${i}@example.com`, String(10000 + i), `wx${i}`, '', '', '深圳', '518000', '羽毛球', `第${i}行的备注：客户关心交付`, String(c + 1)];
}

async function writeCsv(file: string, rows: number, tag: string, encoding: 'utf8' | 'gb18030'): Promise<void> {
  const out = createWriteStream(file);
  const enc = (s: string) => (encoding === 'gb18030' ? iconv.encode(s, 'gb18030') : Buffer.from(s));
  const put = (s: string) => (out.write(enc(s)) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await put(`${HEADERS.join(',')}\r\n`);
  for (let i = 0; i < rows; i++) await put(`${contactRow(i, tag).join(',')}\r\n`);
  await new Promise((r) => out.end(r));
}

function importPipeline(name: string, concurrency: number | 'auto'): string {
  const mapping = Object.entries(FIELD_OF).map(([h, f]) => `  ${f}: ${h}`).join('\n');
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nkind: import\nentity: contact\ninstallation: ${PROFILE}\nerp: { timeoutMs: 60000 }\nsource: { file: in.csv }\nmapping:\n  company: 客户名称\n${mapping}\nwrite:\n  mode: upsert\n  concurrency: ${concurrency}\n  retries: 3\nreports: { dir: '${work}/reports/${name}-{time}', rejects: false }\nstateDir: ${work}/state\n`);
  return file;
}

const ERP_ENV = (url: string) => ({ ZB_BASE_URL: url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });
const PROFILE = path.join(work, 'installations', 'emulator.yaml');
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

// What is measured is the command as users run it: compiled, as `npm ci` leaves it.
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'ignore' });

// As users run against an installation: `zbport doctor` once, then every run with its profile
// (without one, each run first checks zbport's guess against the server's data).
{
  const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '200']);
  execFileSync(process.execPath, [path.join(root, 'bin/zbport.js'), 'doctor', '--output', PROFILE], { cwd: work, env: { ...process.env, ...ERP_ENV(emu.url) }, stdio: 'ignore' });
  await emu.stop();
}

// ---- 1. import throughput against the bound -------------------------------------------------
// Beside each run: a bare node:http loop at the same concurrency against a fresh emulator, the
// ceiling this machine's loopback and event loops allow, and the CPU each side used, which tells
// whether the tool or the emulator was the bottleneck.
if (only('import')) log('1/8 import throughput against the Little\'s-law bound (emulator service time 20 ms)');
for (const c of only('import') ? [1, 4, 16, 64] : []) {
  const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '0', '--latency', '20']);
  const rows = Math.max(50, Math.round(c * ROWS_PER_SLOT * Math.max(SCALE, 0.2)));
  const csv = path.join(work, `import-${c}.csv`);
  await writeCsv(csv, rows, `并发${c}_`, 'utf8');
  const before = await emu.stats();
  const m = await measure(['cli', importPipeline(`bench-import-${c}`, c), csv], ERP_ENV(emu.url));
  const after = await emu.stats();
  await emu.stop();
  const requests = after.requests - before.requests;
  // The physical bound: one save per row, `c` in flight, at the save time the emulator measured.
  const saveMs = (after.saveServiceMs - before.saveServiceMs) / (after.saves - before.saves);
  const bound = c / (saveMs / 1000);
  const wallMs = m.durationMs as number;
  const rate = (rows * 1000) / wallMs;
  importRates.set(c, rate);
  const toolCpu = Math.round(((m.cpuMs as number) / (m.ms as number)) * 100);
  const emuCpu = Math.round(((after.cpuMs - before.cpuMs) / wallMs) * 100);

  const bareEmu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '0', '--latency', '20']);
  const b0 = await bareEmu.stats();
  const bare = await measure(['bare-http', bareEmu.url, String(c), String(Math.min(requests, c * 200))]);
  const b1 = await bareEmu.stats();
  await bareEmu.stop();
  const bareRatio = ((bare.rows * 1000) / (bare.durationMs as number)) / (c / ((b1.serviceMs - b0.serviceMs) / (b1.requests - b0.requests) / 1000));

  results.push({
    benchmark: `import, concurrency ${c}`, rows, 'rows/s': c === 1 ? rate.toFixed(1) : fmt(rate),
    bound: `${fmt(bound)} rows/s (${c} ÷ ${saveMs.toFixed(1)} ms a save)`,
    ratio: (rate / bound).toFixed(2), 'peak RSS MB': m.maxRssMB,
    note: `created ${m.created}, failed ${m.failed}; ${(requests / (m.created as number)).toFixed(2)} requests per created row; bare node:http loop at ${c} in flight: ${bareRatio.toFixed(2)} of its bound; CPU tool ${toolCpu}%, emulator ${emuCpu}%`,
  });
  log(`   c=${c}: ${fmt(rate)} rows/s, bound ${fmt(bound)}, ratio ${(rate / bound).toFixed(2)} (bare loop ${bareRatio.toFixed(2)}; CPU tool ${toolCpu}%, emulator ${emuCpu}%)`);
}

// ---- 5. peer baseline (same emulator settings) ----------------------------------------------
if (only('peer')) {
  log('5/8 peer baseline: one save after another');
  const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '0', '--latency', '20']);
  // The rows of the import at 1 in flight, every mapped field sent as the import sends it: the
  // same work for the ERP a save, so the two rates compare.
  const rows = Math.max(50, Math.round(ROWS_PER_SLOT * Math.max(SCALE, 0.2)));
  const csv = path.join(work, 'peer.csv');
  await writeCsv(csv, rows, '逐条', 'utf8');
  const fields = Object.fromEntries([['company', HEADERS.indexOf('客户ID')], ...Object.entries(FIELD_OF).map(([h, f]) => [f, HEADERS.indexOf(h)])]);
  const before = await emu.stats();
  const m = await measure(['peer', emu.url, csv, JSON.stringify(fields)]);
  const after = await emu.stats();
  await emu.stop();
  const saveMs = (after.saveServiceMs - before.saveServiceMs) / (after.saves - before.saves);
  const rate = (rows * 1000) / m.ms;
  // The targets compare the import with this script: at 1 in flight at least its rate, at 16 fifteen times it.
  const against = [...importRates].map(([c, r]) => `${c} in flight ${(r / rate).toFixed(c === 1 ? 3 : 1)}×`).join(', ');
  results.push({ benchmark: 'peer: one request at a time, unverified', rows, 'rows/s': rate.toFixed(1), bound: `${fmt(1000 / saveMs)} rows/s (1 ÷ ${saveMs.toFixed(1)} ms a save)`, ratio: (rate / (1000 / saveMs)).toFixed(2), 'peak RSS MB': m.maxRssMB, note: `saved ${after.saves - before.saves}; the same rows and fields as the import at 1 in flight, timed from its login; no lookup, no match, no read-back${against ? `; the import's rate against this one: ${against}` : ''}` });
}

// ---- 2. dry-run throughput against bare csv-parse -------------------------------------------
for (const [label, rows, encoding] of only('dry') ? ([['1,000,000-row UTF-8 CSV', n(1_000_000), 'utf8'], ['200,000-row GB18030 CSV', n(200_000), 'gb18030']] as const) : []) {
  log(`2/8 dry run, ${label}`);
  const csv = path.join(work, `dry-${encoding}.csv`);
  await writeCsv(csv, rows, '演练', encoding);
  const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '1000']);
  const bare = await measure(['bare-csv', csv, encoding]);
  const dry = await measure(['cli', importPipeline(`bench-dry-${encoding}`, 16), csv, 'dry'], ERP_ENV(emu.url));
  await emu.stop();
  const bareRate = (bare.rows * 1000) / bare.ms;
  // From the run's own start (as the bare parse is timed from after its start-up), login and the
  // loading of existing contacts included.
  const dryRate = (dry.rows * 1000) / (dry.durationMs as number);
  results.push({ benchmark: `bare csv-parse, ${label}`, rows: bare.rows, 'rows/s': fmt(bareRate), bound: '', ratio: '', 'peak RSS MB': bare.maxRssMB, note: 'decode + parse only' });
  results.push({ benchmark: `dry run, ${label}`, rows: dry.rows, 'rows/s': fmt(dryRate), bound: `${fmt(bareRate)} rows/s (bare csv-parse)`, ratio: (dryRate / bareRate).toFixed(2), 'peak RSS MB': dry.maxRssMB, note: 'read, validate, resolve companies, match existing contacts' });
}

// ---- 3. XLSX read against bare exceljs streaming --------------------------------------------
if (only('xlsx')) {
  const rows = n(200_000);
  log(`3/8 XLSX read, ${fmt(rows)} rows with shared strings`);
  const file = path.join(work, 'read.xlsx');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const ws = wb.addWorksheet('联系人');
  ws.addRow(HEADERS).commit();
  for (let i = 0; i < rows; i++) ws.addRow(contactRow(i, '读取')).commit();
  await wb.commit();
  const ours = await measure(['zbport-xlsx', file]);
  const bare = await measure(['exceljs-xlsx', file]);
  const bareRate = (bare.rows * 1000) / bare.ms;
  results.push({ benchmark: 'bare exceljs streaming read', rows: bare.rows, 'rows/s': fmt(bareRate), bound: '', ratio: '', 'peak RSS MB': bare.maxRssMB, note: 'WorkbookReader, shared strings cached' });
  results.push({ benchmark: 'zbport XLSX reader', rows: ours.rows, 'rows/s': fmt((ours.rows * 1000) / ours.ms), bound: `${fmt(bareRate)} rows/s (bare exceljs)`, ratio: ((ours.rows * 1000) / ours.ms / bareRate).toFixed(2), 'peak RSS MB': ours.maxRssMB, note: 'typed cells as people see them' });
}

// ---- 4. export -------------------------------------------------------------------------------
if (only('export')) {
  const rows = n(200_000);
  log(`4/8 export of ${fmt(rows)} contacts`);
  const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', String(rows)]);
  for (const ext of ['xlsx', 'csv']) {
    const p = path.join(work, `export-${ext}.yaml`);
    writeFileSync(p, `name: bench-export-${ext}\nkind: export\nentity: contact\npageSize: 500\nconcurrency: 4\noutput: { file: '${work}/export.${ext}' }\nstateDir: ${work}/state\n`);
    const m = await measure(['cli', p, ''], ERP_ENV(emu.url));
    results.push({ benchmark: `export to .${ext}`, rows: m.rows, 'rows/s': fmt((m.rows * 1000) / (m.durationMs as number)), bound: '', ratio: '', 'peak RSS MB': m.maxRssMB, note: ext === 'xlsx' ? 'streamed, inline strings, typed columns' : 'UTF-8 with BOM' });
  }
  await emu.stop();
}

// ---- 7. requests per created row ----------------------------------------------------------------
// A 10,000-row import into an ERP that holds 20,000 contacts, every create verified: what the
// ERP serves per row (the existing contacts loaded once when that is cheaper, creates verified
// a batch at a time), counted by the emulator.
if (only('requests')) {
  const existing = Math.round(20_000 * Math.max(SCALE, 0.1));
  const rows = Math.round(10_000 * Math.max(SCALE, 0.1));
  log(`7/8 requests per created row: ${fmt(rows)} rows into ${fmt(existing)} existing contacts`);
  const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', String(existing), '--latency', '20']);
  const csv = path.join(work, 'requests.csv');
  await writeCsv(csv, rows, '请求', 'utf8');
  const before = await emu.stats();
  const m = await measure(['cli', importPipeline('bench-requests', 16), csv], ERP_ENV(emu.url));
  const after = await emu.stats();
  await emu.stop();
  const perRow = (after.requests - before.requests) / (m.created as number);
  results.push({
    benchmark: `requests per created row, ${fmt(rows)} rows into ${fmt(existing)} contacts`, rows, 'rows/s': fmt((rows * 1000) / (m.durationMs as number)),
    bound: '1.1 requests a row (target)', ratio: perRow.toFixed(2), 'peak RSS MB': m.maxRssMB,
    note: `${after.requests - before.requests} requests for ${m.created} created rows (saves ${after.saves - before.saves}); created ${m.created}, failed ${m.failed}`,
  });
  log(`   ${perRow.toFixed(2)} requests per created row`);
}

// ---- 6. the fault mix -------------------------------------------------------------------------
// The same 5,000-row import without faults and with the emulator's 10% fault mix (HTTP 500 pages,
// plain-text bodies, status 11, dropped connections and hung requests, half of the faulted saves
// stored before the fault): adaptive time limits keep hung requests from costing the full limit.
if (only('faults')) {
  const rows = Math.max(500, Math.round(5000 * Math.max(SCALE, 0.2)));
  log(`6/8 ${fmt(rows)}-row import, fault-free and under the 10% fault mix`);
  const rates: number[] = [];
  for (const failRate of [0, 0.1]) {
    const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '0', '--latency', '20', '--fail-rate', String(failRate)]);
    const csv = path.join(work, `faults-${failRate}.csv`);
    await writeCsv(csv, rows, `故障${failRate}_`, 'utf8');
    const m = await measure(['cli', importPipeline(`bench-faults-${failRate * 100}`, 16), csv], ERP_ENV(emu.url));
    const stats = await emu.stats();
    await emu.stop();
    const rate = (rows * 1000) / (m.durationMs as number);
    rates.push(rate);
    const faults = Object.entries((stats.faults ?? {}) as unknown as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
    results.push({
      benchmark: failRate ? 'import under the 10% fault mix, concurrency 16' : 'import without faults, concurrency 16', rows, 'rows/s': fmt(rate),
      bound: failRate ? `${fmt(rates[0])} rows/s (without faults)` : '', ratio: failRate ? (rate / rates[0]).toFixed(2) : '', 'peak RSS MB': m.maxRssMB,
      note: `created ${m.created}, failed ${m.failed}${failRate ? `; emulator faults: ${faults}` : ''}`,
    });
    log(`   fail-rate ${failRate}: ${fmt(rate)} rows/s, created ${m.created}, failed ${m.failed}`);
  }
}

// ---- auto. concurrency: auto against an ERP that takes N requests at once ----------------------
// The emulator serves N requests at once (20 ms each) and queues the rest (answers slow down) or
// refuses them with HTTP 500 服务器太忙 (Server Too Busy). The run starts at 8 and must settle
// within 20% of N without a failed row; "settled" is the median of the limit over the second half
// of the run, as the run's own summary reports it. The bound counts the emulator's service time
// only (queueing excluded), so it is what N requests at once could do.
if (only('auto')) {
  log('8/8 concurrency auto against an emulator limited to N requests in flight');
  for (const overflow of ['queue', 'fail'] as const) {
    for (const N of [16, 32]) {
      const emu = await emulator(['--seed-customers', String(CUSTOMERS), '--seed-contacts', '0', '--latency', '20', '--max-in-flight', String(N), '--overflow', overflow]);
      const rows = Math.max(1000, Math.round(N * ROWS_PER_SLOT * Math.max(SCALE, 0.2)));
      const csv = path.join(work, `auto-${overflow}-${N}.csv`);
      await writeCsv(csv, rows, `自动${overflow}${N}_`, 'utf8');
      const before = await emu.stats();
      const m = await measure(['cli', importPipeline(`bench-auto-${overflow}-${N}`, 'auto'), csv], ERP_ENV(emu.url));
      const after = await emu.stats();
      await emu.stop();
      const serviceMsPerRow = (after.serviceMs - before.serviceMs) / rows;
      const bound = N / (serviceMsPerRow / 1000);
      const rate = (rows * 1000) / (m.durationMs as number);
      const c = m.concurrency as { final: number; median: number; max: number; min: number; slowdowns: number; failures: number };
      results.push({
        benchmark: `import, concurrency auto, ERP takes ${N} at once, ${overflow === 'queue' ? 'queues' : 'refuses'} the rest`, rows, 'rows/s': fmt(rate),
        bound: `${fmt(bound)} rows/s (${N} ÷ ${serviceMsPerRow.toFixed(1)} ms a row)`, ratio: (rate / bound).toFixed(2), 'peak RSS MB': m.maxRssMB,
        'settled limit': c.median,
        note: `limit settled at ${c.median} = ${(c.median / N).toFixed(2)} × ${N} (final ${c.final}, range ${c.min}–${c.max}, ${c.slowdowns} slowdowns, ${c.failures} refusals); ERP's most in flight ${after.inFlightMax}; created ${m.created}, failed ${m.failed}`,
      });
      log(`   N=${N} ${overflow}: limit settled at ${c.median} (${(c.median / N).toFixed(2)} × N), ${fmt(rate)} rows/s = ${(rate / bound).toFixed(2)} of ${fmt(bound)}, failed ${m.failed}`);
    }
  }
}

// ---- the table --------------------------------------------------------------------------------
const cols = ['benchmark', 'rows', 'rows/s', 'bound', 'ratio', 'peak RSS MB', 'note'];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const md = [
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}${SCALE !== 1 ? ` (BENCH_SCALE=${SCALE})` : ''}.`,
  '',
  `| ${cols.join(' | ')} |`,
  `| ${cols.map(() => '---').join(' | ')} |`,
  ...results.map((r) => `| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`),
  '',
].join('\n');
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/latest.md'), md);
writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify({ machine, scale: SCALE, results }, null, 2)}\n`);
process.stdout.write(`${md}\n`);
execFileSync('rm', ['-rf', work]);
