/**
 * `zbport init` through the real command: on a file shaped like ZB's own contact template and on
 * the samples it writes pipelines that lint and dry-run as they stand against the emulator, with
 * the outcomes of the hand-written sample pipelines; it never replaces a file without --force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { zbport } from './helpers/cli.js';
import { tempDir, writeCsv } from './helpers/files.js';

let emu: Emulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, quiet: true });
  env = { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' };
});
afterAll(async () => emu?.close());

/** A folder of its own with the input file copied in, as an admin would have it. */
function folderWith(file: string): { dir: string; name: string } {
  const dir = tempDir('zbport-init-');
  copyFileSync(file, path.join(dir, path.basename(file)));
  return { dir, name: path.basename(file) };
}

async function dryRun(dir: string, pipeline: string, input?: string) {
  const r = await zbport(['run', pipeline, '--dry-run', '--json', ...(input ? ['--input', input] : [])], { cwd: dir, env });
  return { ...r, summary: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
}

const counts = (s: Record<string, unknown>) => {
  const { read, valid, rejected, wouldCreate, wouldUpdate, wouldSkip, doneEarlier, problems } = s;
  return { read, valid, rejected, wouldCreate, wouldUpdate, wouldSkip, doneEarlier, problems };
};

describe('zbport init', () => {
  it("maps ZB's own contact template (.xls) with no edits, and the pipeline lints and dry-runs", async () => {
    const { dir, name } = folderWith('fixtures/zb-contact-template.xls');
    const init = await zbport(['init', name], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/pipelines\/zb-contact-template\.yaml ← zb-contact-template\.xls/);
    const file = path.join(dir, 'pipelines/zb-contact-template.yaml');
    const text = readFileSync(file, 'utf8');
    const p = parseYaml(text);
    expect(p).toMatchObject({ kind: 'import', entity: 'contact', source: { file: 'zb-contact-template.xls', headerRow: 1 }, lookup: { by: 'name' }, write: { mode: 'upsert', matchKeys: ['company', 'person_name', 'mobile'] } });
    const from = (e: unknown) => (typeof e === 'string' ? e : (e as { from: string }).from);
    expect(Object.fromEntries(Object.entries(p.mapping).map(([k, v]) => [k, from(v)]))).toEqual({
      company: '客户名称', person_name: '联系人', sex: '性别', year1: '生日', part1: '部门', job: '职位', phone: '电话', fax: '传真',
      mobile: '手机', email: '电子邮件', qq: 'QQ', msn: 'MSN', zip: '联系人邮编', intro: '备注',
    });
    expect(p.mapping.mobile.transforms).toEqual(['phone']);
    expect(p.mapping.sex.transforms).toEqual(['sex']);
    // Each mapping carries its reason and confidence; every other column is listed with why.
    expect(text).toMatch(/job: 职位 +# 可信度 高 \/ confidence high：“职位”是字段 job（职务）的常用名称/);
    expect(text).toMatch(/#   R 家庭地址：ERP 的联系人接口没有地址字段.*the ERP's contact API has no address field/);
    for (const h of ['客户编号', '客户分类', '跟进程度', '洽谈进展', '销售人员', '添加时间', '自定义1', '自定义6']) expect(text).toMatch(new RegExp(`^#   [A-Z]+ ${h}：`, 'm'));

    const lint = await zbport(['lint', 'pipelines/zb-contact-template.yaml'], { cwd: dir });
    expect(lint.code, lint.stderr).toBe(0);
    const run = await dryRun(dir, 'pipelines/zb-contact-template.yaml');
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ read: 6, valid: 6, rejected: 0, wouldCreate: 6 });
  });

  const samples: Array<[string, string, string?]> = [
    ['fixtures/contacts-sample.xlsx', 'pipelines/contacts-import.yaml'],
    ['fixtures/legacy/contacts-sample.ods', 'pipelines/contacts-import.yaml'],
    ['fixtures/followups-sample.xlsx', 'pipelines/followups-import.yaml'],
  ];
  for (const [input, handWritten] of samples) {
    it(`${input}: the proposed pipeline lints and dry-runs with the outcomes of ${path.basename(handWritten)}`, async () => {
      const { dir, name } = folderWith(input);
      const init = await zbport(['init', name, '--name', 'proposed'], { cwd: dir });
      expect(init.code, init.stderr).toBe(0);
      expect((await zbport(['lint', 'pipelines/proposed.yaml'], { cwd: dir })).code).toBe(0);
      const mine = await dryRun(dir, 'pipelines/proposed.yaml');
      expect(mine.code, mine.stderr).toBeLessThan(2);
      // The hand-written sample, on the same file, against the same ERP.
      writeFileSync(path.join(dir, 'sample.yaml'), readFileSync(handWritten, 'utf8').replace('erp:\n  fallback: emulator', 'erp:\n  fallback: none'));
      const theirs = await dryRun(dir, 'sample.yaml', name);
      expect(theirs.code, theirs.stderr).toBe(mine.code);
      expect(counts(mine.summary)).toEqual(counts(theirs.summary));
      expect(mine.summary.read).toBeGreaterThan(0);
    });
  }

  it('finds the header below a title, reads a GB18030 CSV, and guesses unknown headers from their values', async () => {
    const dir = tempDir('zbport-init-');
    const c = emu.store.customers().filter((x) => emu.store.customers().filter((y) => y.name === x.name).length === 1);
    writeCsv(path.join(dir, '客户联系人.csv'), [
      ['2024年联系人名单', '', '', ''],
      ['单位', '人', '号码', '邮件'],
      [c[0].name, '初始甲', '13812340001', 'jia@example.com'],
      [c[1].name, '初始乙', '139 1234 0002', 'yi@example.com'],
      [c[2].name, '初始丙', '+86 13712340003', ''],
    ], 'gb18030');
    const init = await zbport(['init', '客户联系人.csv'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    // No Latin letters in the file name: a name for the entity.
    const text = readFileSync(path.join(dir, 'pipelines/import-contacts.yaml'), 'utf8');
    const p = parseYaml(text);
    expect(p.source).toMatchObject({ file: '客户联系人.csv', headerRow: 2 });
    expect(p.mapping).toMatchObject({ company: '单位', person_name: '人', mobile: { from: '号码', transforms: ['phone'] }, email: '邮件' });
    expect(text).toMatch(/mobile: \{ from: 号码, transforms: \[phone\] \} +# 可信度 中 \/ confidence medium：按内容推断：样本中 3\/3 个值像手机号/);
    const run = await dryRun(dir, 'pipelines/import-contacts.yaml');
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ read: 3, wouldCreate: 3 });
  });

  it('never replaces a pipeline without --force', async () => {
    const { dir, name } = folderWith('fixtures/contacts-sample.xlsx');
    expect((await zbport(['init', name], { cwd: dir })).code).toBe(0);
    const first = path.join(dir, 'pipelines/contacts-sample.yaml');
    writeFileSync(first, `# edited by hand\n${readFileSync(first, 'utf8')}`);
    // A name made from the file's: the next free one.
    const again = await zbport(['init', name], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'pipelines/contacts-sample-2.yaml'))).toBe(true);
    expect(readFileSync(first, 'utf8')).toMatch(/^# edited by hand/);
    // A name asked for: refused, then replaced with --force.
    const named = await zbport(['init', name, '--name', 'contacts-sample'], { cwd: dir });
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/已存在，不会覆盖 \/ exists and is not replaced/);
    expect(readFileSync(first, 'utf8')).toMatch(/^# edited by hand/);
    const forced = await zbport(['init', name, '--name', 'contacts-sample', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(first, 'utf8')).not.toMatch(/edited by hand/);
    // The old flag name still works.
    const out = await zbport(['init', name, '--out', 'elsewhere.yaml'], { cwd: dir });
    expect(out.code, out.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'elsewhere.yaml'))).toBe(true);
  });

  it('a missing or unreadable file ends with a clear message, exit 2', async () => {
    const dir = tempDir('zbport-init-');
    const missing = await zbport(['init', 'nope.xlsx'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/文件不存在 \/ file not found/);
    writeFileSync(path.join(dir, 'bad.xlsx'), 'not a workbook');
    const bad = await zbport(['init', 'bad.xlsx'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(path.join(dir, 'pipelines'))).toBe(false);
  });
});
