/**
 * One measurement in a process of its own, so its peak memory is its own. Prints one JSON line:
 * { rows, ms, maxRssMB, ...extra }.
 * Modes: cli <args…> | bare-csv <file> <encoding> | exceljs-xlsx <file> | zbport-xlsx <file> | peer <baseUrl> <csv> <fields JSON>
 *        | bare-http <baseUrl> <concurrency> <requests>
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';

const [mode, ...args] = process.argv.slice(2);
const t0 = performance.now();
let rows = 0;
const extra: Record<string, unknown> = {};

if (mode === 'cli') {
  // The real command as users run it (compiled code when dist/ is current, the bin's V8 flags),
  // in a child process: its summary carries its peak memory, /proc its CPU time.
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const [pipeline, input, dry] = args;
  const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../bin/zbport.js');
  const childTicks = () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[13]) + Number(f[14]); // cutime + cstime, in clock ticks (100 a second)
  };
  const before = childTicks();
  const argv = ['--max-semi-space-size=4', bin, 'run', pipeline, '--json', '--quiet', '--full-refresh', ...(input ? ['--input', input] : []), ...(dry === 'dry' ? ['--dry-run'] : [])];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 || code === 1 ? resolve(text) : reject(new Error(`zbport exited ${code}: ${text.slice(-300)}`))));
  });
  const summary = JSON.parse(out);
  rows = summary.read ?? summary.rows;
  Object.assign(extra, { created: summary.created, rejected: summary.rejected, failed: summary.failed, durationMs: summary.durationMs, childMaxRssMB: summary.peakRssMB, childCpuMs: (childTicks() - before) * 10, concurrency: summary.concurrency });
} else if (mode === 'bare-csv') {
  const [file, encoding] = args;
  const input = createReadStream(file);
  const text = encoding === 'utf8' ? input : input.pipe(iconv.decodeStream(encoding));
  for await (const _ of text.pipe(parse({ bom: true, relax_column_count: true }))) rows++;
  rows--; // header
} else if (mode === 'exceljs-xlsx') {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(args[0], { sharedStrings: 'cache', worksheets: 'emit', styles: 'cache', hyperlinks: 'ignore', entries: 'emit' });
  for await (const ws of reader) for await (const _ of ws) rows++;
  rows--;
} else if (mode === 'zbport-xlsx') {
  const { openXlsx } = await import('../src/sources/xlsx/index.js');
  const r = await openXlsx({ file: args[0] });
  for await (const _ of r.rows) rows++;
} else if (mode === 'bare-http') {
  // The platform's own ceiling: a bare node:http loop at the same concurrency, no client logic at all.
  const [base, c, total] = [args[0], Number(args[1]), Number(args[2])];
  const agent = new http.Agent({ keepAlive: true, maxSockets: c });
  const post = (path: string, body: unknown) =>
    new Promise<any>((resolve, reject) => {
      const req = http.request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (x: Buffer) => chunks.push(x));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  const login = await post('/webapi/v3/ov1/login', { datas: [{ id: 'user', val: 'txt:admin' }, { id: 'password', val: 'txt:zbport' }, { id: 'serialnum', val: 'txt:bare1' }] });
  const session = login.header.session;
  const started = performance.now();
  await Promise.all(Array.from({ length: c }, async () => {
    while (rows < total) {
      rows++;
      await post('/sysa/mobilephone/salesmanage/person/list.asp', { session, cmdkey: 'refresh', datas: [{ id: 'person_name', val: `并发${rows}` }, { id: 'pagesize', val: '20' }] });
    }
  }));
  extra.durationMs = performance.now() - started;
  agent.destroy();
} else if (mode === 'peer') {
  // The common script: log in once, then one save after another, nothing checked.
  // `fields`: field id → column index, every field the import maps, sent as such a script sends them.
  const [base, file, fieldsJson] = args;
  const fields = Object.entries(JSON.parse(fieldsJson) as Record<string, number>);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (path: string, body: unknown) =>
    new Promise<any>((resolve, reject) => {
      const req = http.request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b ? JSON.parse(b) : {}));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  const login = await post('/webapi/v3/ov1/login', { datas: [{ id: 'user', val: 'txt:admin' }, { id: 'password', val: 'txt:zbport' }, { id: 'serialnum', val: 'txt:peer1' }] });
  const session = login.header.session;
  let header = true;
  for await (const rec of createReadStream(file).pipe(parse({ bom: true }))) {
    if (header) {
      header = false;
      continue;
    }
    await post('/sysa/mobilephone/salesmanage/person/add.asp', { session, cmdkey: '__sys_dosave', datas: fields.map(([id, i]) => ({ id, val: rec[i] })) });
    rows++;
  }
  agent.destroy();
}

const ms = performance.now() - t0;
const cpu = process.cpuUsage();
const own = { cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
// A measured child's numbers are the ones that count.
if (extra.childMaxRssMB !== undefined) Object.assign(own, { cpuMs: extra.childCpuMs, maxRssMB: extra.childMaxRssMB });
process.stdout.write(`${JSON.stringify({ rows, ms: Math.round(ms), ...own, ...extra })}\n`);
process.exit(0);
