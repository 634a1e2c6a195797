/**
 * Bad inputs end in a clear message naming the file, exit status 2, and never a stack trace.
 * Runs the real CLI as a child process, as a user would.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { tempDir } from './helpers/files.js';

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('bin/zbport.js'), ...args], { env: { ...process.env, ZB_BASE_URL: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bad input', () => {
  const dir = tempDir();
  const pipeline = path.join(dir, 'p.yaml');
  writeFileSync(pipeline, `name: bad\nkind: import\nentity: contact\nerp: { fallback: emulator, emulatorData: ${dir}/emu }\nsource: { file: x.csv }\nmapping: { company: 客户名称, person_name: 姓名 }\nreports: { dir: '${dir}/r/{time}' }\nstateDir: ${dir}/s\n`);
  const cases: Array<[string, Buffer | string, RegExp]> = [
    // An OLE2 header and nothing else: legacy workbooks are read, and this one is corrupt.
    ['old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), /损坏.*corrupt/],
    ['truncated.xlsx', readFileSync('fixtures/contacts-sample.xlsx').subarray(0, 2000), /corrupt|truncated|损坏|不完整/],
    ['notzip.xlsx', 'just some text', /xlsx|workbook|工作簿|zip/i],
    ['junk.csv', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256)), /binary|二进制/],
    ['empty.csv', '', /empty|为空/],
    ['headers-wrong.csv', '名称,电话\n甲,1\n', /no column named|mapping does not fit/],
    ['gbk-declared-utf8.csv', iconv.encode('客户名称,姓名\n华为技术有限公司,张三\n', 'gb18030'), /not valid UTF-8|无法按 UTF-8 解码/],
    ['missing.csv', '', /not found|不存在/],
  ];
  for (const [name, content, pattern] of cases) {
    it(`${name}: exit 2 with a clear message`, async () => {
      const file = path.join(dir, name);
      if (name !== 'missing.csv') writeFileSync(file, content);
      if (name === 'gbk-declared-utf8.csv') writeFileSync(pipeline.replace('p.yaml', 'u.yaml'), readFileSync(pipeline, 'utf8').replace('source: { file: x.csv }', 'source: { file: x.csv, encoding: utf8 }'));
      const p = name === 'gbk-declared-utf8.csv' ? pipeline.replace('p.yaml', 'u.yaml') : pipeline;
      const r = await cli(['run', p, '--input', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(name);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    });
  }

  it('a state folder that cannot be written: exit 2 naming it, and no hang while a CSV parsing thread is running', async () => {
    const file = path.join(dir, 'ok.csv');
    writeFileSync(file, `客户名称,姓名\n${Array.from({ length: 2000 }, (_, i) => `华为技术有限公司,张${i}`).join('\n')}\n`);
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    const p = path.join(dir, 'state.yaml');
    writeFileSync(p, readFileSync(pipeline, 'utf8').replace(`stateDir: ${dir}/s`, `stateDir: ${dir}/not-a-folder/state`));
    const r = await cli(['run', p, '--input', file], { ZBPORT_CSV_THREAD_MIN_BYTES: '0' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/stateDir .*not-a-folder/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('a bad pipeline definition: exit 2, every problem with file and line', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nkind: import\nentity: contact\nsource: { file: a.csv }\nmapping: { persn_name: 姓名 }\nwrite: { mode: merge }\n');
    const r = await cli(['run', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:5:\d+ error `mapping\.persn_name`/);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+ error `write\.mode`/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('an unknown command or option: exit 2 with usage', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown|zbport/);
  });
});
