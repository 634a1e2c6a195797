/**
 * Renders what discovery found as an installation profile a person can read and correct: every
 * mapping with its evidence as a comment, guesses commented out (a run never uses them until a
 * person confirms them), what could not be inferred named with its setting.
 */
import { LIST_FIELDS, LIST_NAMES, LIST_TITLES, type ListName } from '../catalog/index.js';
import type { EnumDiscovery, ListDiscovery } from './discover.js';
import type { ConnectionConfig } from './profile-schema.js';

export interface ProfileDraft {
  name: string;
  description: string;
  server: string;
  appversion?: string;
  at: string;
  connection: Partial<ConnectionConfig>;
  lists: Partial<Record<ListName, ListDiscovery>>;
  enums: EnumDiscovery[];
  notes: string[];
}

const q = (v: string) => JSON.stringify(v);
/** YAML keys: plain where safe, quoted otherwise (`'@ret2_0'`). */
const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : q(k));

export function renderProfile(d: ProfileDraft, schemaPath = '../schema/pipeline.schema.json'): string {
  const out: string[] = [
    `# yaml-language-server: $schema=${schemaPath}`,
    `# 安装配置：由 \`zbport doctor\` 于 ${d.at} 从 ${d.server} 读取（只读，未写入任何数据）。`,
    `# Installation profile, read off ${d.server} by \`zbport doctor\` (read only, nothing written).`,
    '# 每个列映射后的注释是它的依据；以 “# 猜测” 开头的行只凭列名或标题，确认后去掉 # 才会生效。',
    '# The comment after each column is its evidence; lines starting with `# 猜测 / guess` are not used until a person confirms them.',
    'kind: installation',
    `name: ${q(d.name)}`,
    `description: ${q(d.description)}`,
    'connection:',
  ];
  for (const [k, v] of Object.entries(d.connection)) if (v !== undefined) out.push(`  ${k}: ${typeof v === 'number' ? v : q(String(v))}`);
  out.push('lists:');
  for (const list of LIST_NAMES) {
    const found = d.lists[list];
    out.push(`  # ${LIST_TITLES[list]}${found ? `：${found.page.recordcount} 条记录，${found.cols.length} 列 / records, columns` : ''}`);
    if (!found?.cols.length) {
      out.push(`  # 未能读到列：${found?.notes.join('；') || '没有读取'} / no columns read; fill in ${list}.columns by hand`);
      continue;
    }
    out.push(`  ${list}:`, '    columns:');
    for (const c of found.columns) {
      const sample = c.sample ? `（例 ${c.sample.slice(0, 24)}）` : '';
      if (c.key && (c.confidence === 'high' || c.confidence === 'medium')) {
        out.push(`      ${key(c.key)}: ${q(c.id)}  # ${c.confidence === 'high' ? '高' : '中'} / ${c.confidence}${sample}：${c.evidence}`);
      } else if (c.key) {
        out.push(`      # 猜测 / guess: ${key(c.key)}: ${q(c.id)}  # ${c.evidence}${sample}`);
      } else {
        out.push(`      # 未识别 / not matched: 列 ${q(c.id)}${sample} ${c.candidates ? `可能是 / maybe ${c.candidates.join(', ')}` : c.evidence}`);
      }
    }
    const shown = new Set(found.columns.filter((c) => c.key && c.confidence !== 'low').map((c) => c.key));
    const missing = LIST_FIELDS[list].filter((f) => !shown.has(f.key)).map((f) => `${f.caption} (${f.key})`);
    if (missing.length) out.push(`      # 该列表没有（或未能确认）这些字段 / not shown (or not confirmed): ${missing.join('、')}`);
  }
  out.push('enums:');
  if (!d.enums.length) out.push('  # ERP 没有提供枚举选项：使用字段目录中的 ID / the ERP exposed no options: the catalog\'s ids are used');
  for (const e of d.enums) {
    out.push(`  # ${e.caption}，来自 / from ${e.from}${e.missing.length ? `；ERP 没有这些选项 / not offered: ${e.missing.join('、')}` : ''}`);
    out.push(`  ${key(e.field)}:`);
    for (const [label, id] of Object.entries(e.options)) out.push(`    ${q(label)}: ${q(id)}`);
  }
  out.push('calibration:', `  at: ${q(d.at)}`, `  server: ${q(d.server)}`);
  if (d.appversion) out.push(`  appversion: ${q(d.appversion)}`);
  if (d.notes.length) {
    out.push('  notes:');
    for (const n of d.notes) out.push(`    - ${q(n)}`);
  }
  return `${out.join('\n')}\n`;
}
