/**
 * The run report (report.html) as people see it: an import with rejected rows against the
 * emulator as a real server, then the written page opened in a real headless Chromium (Debian's
 * package, driven by playwright-core) to read what it shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { tempDir, writeXlsx } from './helpers/files.js';
import { captureOutput } from './helpers/capture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const requireTools = process.env.ZBPORT_REQUIRE_TOOLS === '1';
if (!hasChromium && !requireTools) {
  console.warn(`html-report browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);
}

const SCRIPT = '<script>window.__zbportPwned = 1</script>';
/** An unmapped header that would fetch from the network if it were ever markup. */
const IMG_HEADER = '<img src="http://192.0.2.1/x.png">';
const HEADERS = ['客户名称', '联系人姓名', '性别', '生日', '手机', IMG_HEADER];

let emu: Emulator;
let dir: string;
let env: NodeJS.ProcessEnv;
let imports = 0;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 10, randomSeed: 11 }, users: [{ user: 'admin', password: 'pw-report' }], quiet: true });
  emu.setFaults({ latencyMs: 3, jitterMs: 2 });
  env = { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'pw-report' };
  dir = tempDir('zbport-report-');
});
afterAll(async () => emu?.close());

function pipelineFile(): string {
  const file = path.join(dir, 'report-import.yaml');
  writeFileSync(file, `
name: report-import
kind: import
entity: contact
source:
  file: ${path.join(dir, 'in.xlsx')}
mapping:
  company: 客户名称
  person_name: 联系人姓名
  sex: { from: 性别, transforms: [sex] }
  year1: 生日
  mobile: { from: 手机, transforms: [phone] }
reports:
  dir: ${path.join(dir, 'reports', '{name}-{time}')}
stateDir: ${path.join(dir, 'state')}
`);
  return file;
}

async function importFile(dryRun: boolean) {
  const customers = emu.store.customers();
  const rows: unknown[][] = [HEADERS];
  // New contacts on every call, so that each import creates them.
  const n = String(++imports).padStart(2, '0');
  for (let i = 0; i < 24; i++) rows.push([customers[i % 5].name, `报告${n}-${i}`, i % 2 ? '男' : '女', '1990-01-02', `1390${n}${String(i).padStart(5, '0')}`, '']);
  // The first unknown company holds a script: its reason quotes the cell, which must stay text.
  rows.push([SCRIPT, '脚本', '男', '', '', '']);
  rows.push(['没有这个客户有限公司', '找不到', '女', '', '', '']);
  rows.push([customers[0].name, '坏日期甲', '女', '1990-02-30', '', '']);
  rows.push([customers[0].name, '坏日期乙', '女', '生日', '', '']);
  rows.push([customers[1].name, '', '男', '', '', '']);
  const input = await writeXlsx(path.join(dir, 'in.xlsx'), { 联系人: rows as never });
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: pipelineFile(), input, dryRun, json: true, fullRefresh: false, quiet: true, env });
  } finally {
    cap.restore();
  }
  const summary = JSON.parse(cap.stdout);
  return { code, summary, stderr: cap.stderr };
}

describe('run report', () => {
  it('is written beside summary.json and named in it', async () => {
    const { code, summary } = await importFile(false);
    expect(code).toBe(1);
    expect(summary.reports.report).toBe(path.join(summary.reports.dir, 'report.html'));
    expect(JSON.parse(readFileSync(summary.reports.summary, 'utf8')).reports.report).toBe(summary.reports.report);
    const page = readFileSync(summary.reports.report, 'utf8');
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;window.__zbportPwned = 1&lt;/script&gt;');
  });

  describe.skipIf(!hasChromium && !requireTools)('in headless Chromium', () => {
    let browser: Browser | undefined;
    afterAll(async () => browser?.close());

    /** Opens a report; every request that is not a local file is refused and remembered. */
    async function open(file: string): Promise<{ page: Page; requests: string[]; blocked: string[]; errors: string[] }> {
      expect(hasChromium, `${CHROMIUM} is missing and ZBPORT_REQUIRE_TOOLS=1 makes this test mandatory: apt-get install chromium`).toBe(true);
      const { chromium } = await import('playwright-core');
      browser ??= await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      const page = await browser.newPage();
      const requests: string[] = [];
      const blocked: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(file).href);
      return { page, requests, blocked, errors };
    }

    it('shows the counts of summary.json, the reasons, the charts and working links, and fetches nothing', async () => {
      const { summary } = await importFile(false);
      expect(summary).toMatchObject({ read: 29, rejected: 5, created: 24 });
      const onDisk = JSON.parse(readFileSync(summary.reports.summary, 'utf8'));
      const { page, requests, blocked, errors } = await open(summary.reports.report);

      // Every outcome count shown equals summary.json.
      const shown: Record<string, number> = {};
      for (const el of await page.locator('[data-testid^="count-"]').all()) {
        const key = (await el.getAttribute('data-testid'))!.slice('count-'.length);
        shown[key] = Number((await el.textContent())!.replace(/,/g, ''));
      }
      expect(Object.keys(shown).sort()).toEqual(['created', 'doneEarlier', 'erpRejected', 'failed', 'invalid', 'lookupRejected', 'read', 'rejected', 'skipped', 'unchanged', 'updated', 'valid']);
      for (const [k, v] of Object.entries(shown)) expect(v, k).toBe(onDisk[k]);
      expect(await page.locator('.card.created .label').textContent()).toBe('已创建 Created');

      // Rejects by reason: every code of the summary with its count and its Chinese reason.
      const reasons: Record<string, number> = {};
      for (const row of await page.getByTestId('reason-row').all()) {
        reasons[(await row.getAttribute('data-code'))!] = Number((await row.getByTestId('reason-count').textContent())!.replace(/,/g, ''));
      }
      expect(reasons).toEqual(onDisk.problems);
      expect(reasons).toMatchObject({ LOOKUP_MISS: 2, BAD_DATE: 2, REQUIRED: 1 });
      await expect(page.getByTestId('reasons').textContent()).resolves.toContain('找不到对应的客户或联系人');
      await expect(page.getByTestId('reasons').textContent()).resolves.toContain('日期无效');

      // Rejects by column, by the file's own headers.
      const columns: Record<string, number> = {};
      for (const row of await page.getByTestId('column-row').all()) {
        columns[(await row.getAttribute('data-column'))!] = Number(await row.getByTestId('column-count').textContent());
      }
      expect(columns).toMatchObject({ 客户名称: 2, 生日: 2, 联系人姓名: 1 });

      // The cell holding a script shows as text and never runs.
      const examples = await page.getByTestId('reason-example').allTextContents();
      expect(examples.some((t) => t.includes(SCRIPT))).toBe(true);
      expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __zbportPwned?: number }).__zbportPwned)).toBeUndefined();
      await expect(page.getByTestId('unmapped-columns').textContent()).resolves.toContain(IMG_HEADER);
      expect(await page.locator('img').count()).toBe(0);

      // Both charts are drawn, with marks in them.
      const throughput = page.locator('svg[data-testid="chart-throughput"]');
      expect(await throughput.locator('rect').count()).toBeGreaterThan(0);
      expect((await throughput.boundingBox())!.width).toBeGreaterThan(300);
      const latency = page.locator('svg[data-testid="chart-latency"]');
      expect(await latency.locator('polyline').count()).toBe(2);
      expect(Number(await latency.locator('polyline').first().evaluate((el) => (el as SVGPolylineElement).points.numberOfItems))).toBeGreaterThan(0);

      // Links are relative and lead to the run's files.
      const base = page.url();
      for (const [id, file] of [['link-rejects', summary.reports.rejects], ['link-results', summary.reports.results], ['link-summary', summary.reports.summary]]) {
        const href = (await page.getByTestId(id).getAttribute('href'))!;
        expect(href, id).not.toMatch(/^[a-z]+:|^\//i);
        const target = fileURLToPath(new URL(href, base));
        expect(target).toBe(file);
        expect(existsSync(target)).toBe(true);
      }

      expect(blocked).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('shows what a dry run would do', async () => {
      const { summary } = await importFile(true);
      expect(summary.dryRun).toBe(true);
      const { page, blocked } = await open(summary.reports.report);
      for (const k of ['read', 'valid', 'rejected', 'wouldCreate', 'wouldUpdate', 'wouldSkip', 'failed']) {
        expect(Number((await page.getByTestId(`count-${k}`).textContent())!.replace(/,/g, '')), k).toBe(summary[k]);
      }
      expect(summary.wouldCreate).toBe(24);
      expect(await page.getByTestId('count-created').count()).toBe(0);
      await expect(page.getByTestId('status').textContent()).resolves.toContain('演练：未写入 ERP');
      expect(blocked).toEqual([]);
    });
  });
});
