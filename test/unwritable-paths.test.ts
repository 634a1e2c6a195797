/**
 * Folders a pipeline or --output names that cannot be made or written: /proc (where Node's
 * recursive mkdir spins forever), a path through a file. Each ends at once with exit 2, the
 * setting named and no stack trace; and a template someone already has is not replaced unasked.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STACK_TRACE, zbport } from './helpers/cli.js';
import { tempDir } from './helpers/files.js';

const PROC = process.platform === 'linux' && existsSync('/proc/self');

function exportPipeline(dir: string, output: string, extra = ''): string {
  const p = path.join(dir, 'e.yaml');
  writeFileSync(p, `name: e\nkind: export\nentity: contact\nerp: { fallback: emulator }\noutput: { file: '${output}' }\nstateDir: ${dir}/state\n${extra}`);
  return p;
}

function importPipeline(dir: string, reportsDir: string): string {
  writeFileSync(path.join(dir, 'in.csv'), '客户名称,联系人姓名,手机\n某公司,张三,13800000000\n');
  const p = path.join(dir, 'i.yaml');
  writeFileSync(p, `name: i\nkind: import\nentity: contact\nerp: { fallback: emulator }\nsource: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nreports: { dir: '${reportsDir}' }\nstateDir: ${dir}/state\n`);
  return p;
}

const ends = (r: { code: number; stderr: string }, setting: string, zh = `无法写入 ${setting}`) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(zh);
  expect(r.stderr).toContain(`cannot write to ${setting}`);
  expect(r.stderr).not.toMatch(/unexpected error|意外错误/);
  expect(r.stderr).not.toMatch(STACK_TRACE);
};

describe('folders that cannot be written', () => {
  it.runIf(PROC)('an export whose output is under /proc ends with exit 2 instead of spinning', async () => {
    const dir = tempDir();
    const r = await zbport(['run', exportPipeline(dir, '/proc/zbport-nope/out.xlsx'), '--quiet'], { cwd: dir, timeoutMs: 60_000 });
    ends(r, 'output.file');
  }, 90_000);

  it('an export whose output folder is a file ends with exit 2', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'afile'), '');
    const r = await zbport(['run', exportPipeline(dir, `${dir}/afile/out.csv`), '--quiet'], { cwd: dir, timeoutMs: 60_000 });
    ends(r, 'output.file');
  }, 90_000);

  it.runIf(PROC)('an import whose reports.dir or stateDir is under /proc ends with exit 2 before any row', async () => {
    const dir = tempDir();
    ends(await zbport(['run', importPipeline(dir, '/proc/zbport-nope/reports'), '--quiet'], { cwd: dir, timeoutMs: 60_000 }), 'reports.dir');
    const p = importPipeline(dir, `${dir}/reports`);
    writeFileSync(p, readFileSync(p, 'utf8').replace(`stateDir: ${dir}/state`, 'stateDir: /proc/zbport-nope/state'));
    ends(await zbport(['run', p, '--quiet'], { cwd: dir, timeoutMs: 60_000 }), 'stateDir', '无法写入状态文件夹 stateDir');
  }, 90_000);

  it.runIf(PROC)('template and init outputs under /proc end with exit 2', async () => {
    const dir = tempDir();
    const p = importPipeline(dir, `${dir}/reports`);
    ends(await zbport(['template', p, '-o', '/proc/zbport-nope/t.xlsx', '--offline'], { cwd: dir, timeoutMs: 60_000 }), '--output');
    const r = await zbport(['init', path.resolve('fixtures/contacts-sample.xlsx'), '-o', '/proc/zbport-nope/p.yaml'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('cannot write /proc/zbport-nope/p.yaml');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  }, 90_000);
});

describe('a template someone already has', () => {
  it('is kept unless --force is given', async () => {
    const dir = tempDir();
    const p = importPipeline(dir, `${dir}/reports`);
    const out = path.join(dir, '模板.xlsx');
    writeFileSync(out, 'filled in by the sales team');
    const kept = await zbport(['template', p, '-o', out, '--offline'], { cwd: dir });
    expect(kept.code, kept.stderr).toBe(2);
    expect(kept.stderr).toContain('已存在，不会覆盖');
    expect(kept.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('filled in by the sales team');
    const replaced = await zbport(['template', p, '-o', out, '--offline', '--force'], { cwd: dir });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(1000);
  }, 90_000);
});
