/**
 * One measurement in a process of its own, so its peak memory is its own. Prints one JSON line:
 * { rows, ms, maxRssMB, ...extra }.
 * Modes: cli <args…> | bare-csv <file> <encoding> | exceljs-xlsx <file> | zbport-xlsx <file> | peer <baseUrl> <csv>
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
  const { runCommand } = await import('../src/commands/run.js');
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  const [pipeline, input, dry] = args;
  const code = await runCommand({ pipeline, input: input || undefined, dryRun: dry === 'dry', json: true, fullRefresh: true, quiet: true });
  process.stdout.write = write;
  const summary = JSON.parse(chunks.join(''));
  rows = summary.read ?? summary.rows;
  Object.assign(extra, { code, created: summary.created, rejected: summary.rejected, failed: summary.failed, durationMs: summary.durationMs });
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
  const [base, file, companyIdx, nameIdx, mobileIdx] = args;
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
    await post('/sysa/mobilephone/salesmanage/person/add.asp', { session, cmdkey: '__sys_dosave', datas: [{ id: 'company', val: rec[Number(companyIdx)] }, { id: 'person_name', val: rec[Number(nameIdx)] }, { id: 'mobile', val: rec[Number(mobileIdx)] }] });
    rows++;
  }
  agent.destroy();
}

const ms = performance.now() - t0;
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ rows, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...extra })}\n`);
process.exit(0);
