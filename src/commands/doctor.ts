/**
 * `zbport doctor`: meets an installation. Logs in, reports the server's version, reads every list
 * zbport uses (and the details, forms and options it needs as evidence) without writing
 * anything, infers which column holds which field, prints the evidence, writes an installation
 * profile, and says plainly what it could not infer and which setting to fill in.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LIST_NAMES, LIST_TITLES, listField, type ListName } from '../catalog/index.js';
import { ConfigError } from '../errors.js';
import { ErpClient } from '../erp/client.js';
import { resolveErpConfig } from '../erp/config.js';
import { discoverEnums, discoverList, type ListDiscovery } from '../installation/discover.js';
import { asId } from '../installation/infer-columns.js';
import { columnSetting } from '../installation/list-layout.js';
import { checkConnection } from '../installation/preflight.js';
import { resolveInstallation } from '../installation/resolve.js';
import { renderProfile } from '../installation/write-profile.js';
import { stderrLogger } from '../report/logger.js';
import { lang, localize, say } from '../report/lang.js';
import { ensureDir } from '../ensure-dir.js';

export interface DoctorOptions {
  /** Profile file to write (default installations/<name>.yaml). */
  out?: string;
  /** Replace an existing profile file. */
  force?: boolean;
  /** Profile name (default from the ERP's host). */
  name?: string;
  /** An existing profile, for its connection settings (environment variable names, login). */
  installation?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the report goes (tests capture it). */
  print?: (line: string) => void;
}

/** Fields whose columns the sample pipelines rely on: not finding them is worth exit status 1. */
const ESSENTIAL: Record<ListName, string[][]> = {
  contact: [['ord'], ['person_name'], ['company', 'customer_name'], ['mobile']],
  contactPick: [['ord'], ['person_name']],
  customer: [['ord'], ['name']],
};

export async function doctorCommand(o: DoctorOptions): Promise<number> {
  const env = o.env ?? process.env;
  const write = o.print ?? ((l: string) => process.stderr.write(`${l}\n`));
  const print = (l: string) => write(localize(l));
  // `标签：值` in Chinese, `label: value` otherwise.
  const label = (zh: string, en: string) => (lang() === 'zh' ? `${zh}：` : `${say(zh, en)}: `);
  const log = stderrLogger(false);
  const installation = await resolveInstallation({ flag: o.installation, env });
  const c = installation.connection;
  const resolved = resolveErpConfig({ baseUrlEnv: c.baseUrlEnv, userEnv: c.userEnv, passwordEnv: c.passwordEnv, serialnumEnv: c.serialnumEnv }, env);
  if (!resolved.ok) throw new ConfigError('ERP 连接未配置 / the ERP connection is not configured', resolved.problems);
  const client = new ErpClient({ ...resolved.config, loginPath: c.login, timeoutMs: c.timeoutMs, zsml: c.contentType === 'zsml', retries: 2, concurrency: 2 }, { logger: log });
  try {
    print(`zbport doctor: ${client.origin}（只读，不写入任何数据 / read only, nothing is written）`);
    await checkConnection(client, log);
    print(`  ${label('登录', 'login')}ok (${client.loginPath === 'mobile' ? '/sysa/mobilephone/login.asp' : '/webapi/v3/ov1/login'}), ${label('ERP 版本', 'ERP version')}${client.serverInfo.appversion ?? say('未报告', 'not reported')}`);

    const lists: Partial<Record<ListName, ListDiscovery>> = {};
    const unresolved: string[] = [];
    for (const list of LIST_NAMES) {
      const found = await discoverList(client, list);
      lists[list] = found;
      print('');
      print(`${LIST_TITLES[list]}${lang() === 'zh' ? '：' : ': '}${say(`${found.page.recordcount.toLocaleString('en-US')} 条记录，${found.cols.length} 列`, `${found.page.recordcount.toLocaleString('en-US')} records, ${found.cols.length} columns`)}`);
      for (const n of found.notes) print(`  ${label('注意', 'note')}${n}`);
      if (found.cols.length) printTable(print, list, found);
      const firm = new Set(found.columns.filter((x) => x.key && x.confidence !== 'low').map((x) => x.key));
      for (const alternatives of ESSENTIAL[list]) {
        if (alternatives.some((k) => firm.has(k))) continue;
        const fields = alternatives.map((k) => `${listField(list, k)?.caption ?? k} (${k})`);
        const settings = alternatives.map((k) => `\`${columnSetting(list, k)}\``);
        unresolved.push(`${LIST_TITLES[list]}${lang() === 'zh' ? '：' : ': '}${say(`${fields.join(' 或 ')} → 请填写 ${settings.join(' 或 ')}`, `${fields.join(' or ')} → fill in ${settings.join(' or ')}`)}`);
      }
    }

    const contactOrd = firstOrd(lists.contact);
    const customerOrd = firstOrd(lists.customer);
    const enums = await discoverEnums(client, contactOrd, customerOrd);
    print('');
    print(label('枚举', 'enums').trimEnd());
    if (!enums.length) print('  ERP 没有提供枚举选项，沿用字段目录中的 ID / the ERP exposed no options: the catalog\'s ids stay');
    for (const e of enums) {
      print(`  ${e.caption} (${e.field}), ${say('来自', 'from')} ${e.from}: ${Object.entries(e.options).map(([l, v]) => `${l}=${v}`).join(', ')}`);
      if (e.missing.length) print(`    ${label('ERP 没有这些选项', 'not offered')}${e.missing.join(', ')}`);
    }

    const host = new URL(client.origin).host.replace(/[^A-Za-z0-9_.-]+/g, '-');
    const name = o.name ?? `erp-${host}`;
    const out = path.resolve(o.out ?? path.join('installations', `${name}.yaml`));
    const notes = [...unresolved, ...LIST_NAMES.flatMap((l) => (lists[l]?.notes ?? []).map((n) => `${LIST_TITLES[l]}：${n}`))];
    const text = renderProfile({
      name, description: `${client.origin} 的安装配置 / installation profile of ${client.origin}`, server: client.origin,
      appversion: client.serverInfo.appversion, at: new Date().toISOString(),
      connection: { baseUrlEnv: c.baseUrlEnv, userEnv: c.userEnv, passwordEnv: c.passwordEnv, serialnumEnv: c.serialnumEnv, login: client.loginPath, timeoutMs: c.timeoutMs, maxPageSize: c.maxPageSize },
      lists, enums, notes,
    }, path.relative(path.dirname(out), path.resolve('schema/pipeline.schema.json')).split(path.sep).join('/'));
    print('');
    if (unresolved.length) {
      print(label('未能推断', 'could not infer').trimEnd());
      for (const u of unresolved) print(`  - ${u}`);
    } else {
      print('所有必需的列都已根据证据确定 / every column zbport relies on was settled by evidence');
    }
    if (existsSync(out) && !o.force) {
      throw new ConfigError(`不会覆盖已有文件 ${out} / will not replace the existing file ${out}`, ['用 --output 写到别的文件，或加 --force 覆盖 / write elsewhere with --output, or replace it with --force']);
    }
    ensureDir(path.dirname(out));
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, out);
    print(`${label('安装配置已写入', 'profile written')}${out}`);
    const rel = path.relative(process.cwd(), out);
    print(`${label('使用方法', 'use it')}${say(`在流水线中写 \`installation: ${rel}\`，或 \`zbport run <pipeline> --installation ${rel}\``, `write \`installation: ${rel}\` in a pipeline, or \`zbport run <pipeline> --installation ${rel}\``)}`);
    return unresolved.length ? 1 : 0;
  } finally {
    await client.logout().catch(() => undefined);
    client.close();
  }
}

function firstOrd(d: ListDiscovery | undefined): string | undefined {
  const i = d?.columns.findIndex((c) => c.key === 'ord' && c.confidence === 'high') ?? -1;
  return i >= 0 ? asId(d!.rows[0]?.[i] ?? '') : undefined;
}

/**
 * Terminal width of text: CJK and full-width characters take two columns. Hand-written (a
 * handful of ranges) rather than a dependency, for one table.
 */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

function printTable(print: (l: string) => void, list: ListName, d: ListDiscovery): void {
  const w = (zh: string, en: string) => say(zh, en).replace(' / ', ' ');
  const conf = { high: w('高', 'high'), medium: w('中', 'medium'), low: w('猜测', 'guess') } as const;
  const rows = d.columns.map((c) => [
    c.id,
    c.sample.length > 18 ? `${c.sample.slice(0, 17)}…` : c.sample,
    c.key ? `${listField(list, c.key)?.caption ?? c.key} (${c.key})` : c.candidates ? `? ${c.candidates.join('/')}` : '—',
    c.confidence ? conf[c.confidence] : '—',
    localize(c.evidence),
  ]);
  const head = [`${w('列', 'column')} id`, w('示例', 'sample'), w('字段', 'field'), w('可信度', 'confidence'), w('依据', 'evidence')];
  const widths = head.map((h, i) => Math.min(i === 4 ? 0 : 40, Math.max(width(h), ...rows.map((r) => width(r[i])))));
  const line = (r: string[]) => `  ${r.map((v, i) => (i === 4 ? v : pad(v, widths[i]))).join('  ')}`;
  print(line(head));
  for (const r of rows) print(line(r));
}
