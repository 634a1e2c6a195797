/**
 * Writes a proposal as a pipeline file a person reads and edits: the settings, each mapping with
 * its reason and confidence as a comment, the columns left out listed with why, and the commands
 * to check and try it. Text from the file (headers) goes into YAML quoted where YAML needs it and
 * into comments on one line, so a crafted header cannot add settings.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CONFIDENCE_WORDS, type Bilingual, type Proposal, type ProposedField } from './propose.js';
import type { Sample } from './sample.js';

/** A YAML scalar: plain when it is plainly text, else double-quoted (JSON strings are YAML). */
export function yamlScalar(s: string): string {
  const plain = /^[\p{L}_][\p{L}\p{N}_\-.（）()/]*$/u.test(s) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** Text for a comment: one line, no control characters. */
function commentText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

const both = (b: Bilingual) => commentText(`${b.zh} / ${b.en}`);

export interface RenderOptions {
  name: string;
  /** Where the pipeline is written (for the schema hint and the commands in its comments). */
  pipelineFile: string;
  /** source.file as the pipeline says it (relative to the folder zbport runs in). */
  sourceFile: string;
  now?: Date;
}

export function renderPipeline(p: Proposal, s: Sample, o: RenderOptions): string {
  const L: string[] = [];
  // Editors complete the file from the schema when the folder has it (a clone of zbport does).
  if (existsSync('schema/pipeline.schema.json')) {
    const schema = path.relative(path.dirname(path.resolve(o.pipelineFile)), path.resolve('schema/pipeline.schema.json')).split(path.sep).join('/');
    L.push(`# yaml-language-server: $schema=${schema}`);
  }
  const where = `${path.basename(s.file)}${s.sheet ? `（工作表 ${s.sheet}）` : ''}`;
  L.push(commentText(`# 由 zbport init 根据 ${where}的表头和前 ${s.rows.length} 行生成 / proposed by zbport init from the header and first ${s.rows.length} rows of ${path.basename(s.file)}`));
  L.push('# 请逐行检查映射：# 后是依据和可信度（高/中/低）；然后检查并试运行（不写入 ERP）/');
  L.push('# check each mapping (after # are the reason and the confidence), then lint it and try it (nothing is written):');
  L.push(`#   zbport lint ${o.pipelineFile}`);
  L.push(`#   zbport run ${o.pipelineFile} --dry-run`);
  L.push('# ERP 的地址和账号来自环境变量 ZB_BASE_URL、ZB_USER、ZB_PASSWORD；只想用内置模拟器演练时，加上 erp: { fallback: emulator } /');
  L.push('# the ERP address and account come from ZB_BASE_URL, ZB_USER and ZB_PASSWORD; for a rehearsal on the built-in emulator add erp: { fallback: emulator }');
  L.push(`name: ${o.name}`);
  L.push(`description: ${yamlScalar(commentText(`${p.entity === 'contact' ? '联系人' : '洽谈进展'}导入（zbport init 生成，来源 ${path.basename(s.file)}）`))}`);
  L.push('kind: import');
  L.push(`entity: ${p.entity}`);
  L.push('source:');
  L.push(`  file: ${yamlScalar(o.sourceFile)}`);
  if (s.sheet !== undefined) L.push(`  sheet: ${yamlScalar(s.sheet)}`);
  L.push(`  headerRow: ${s.headerRow}`);
  if (p.contactLookup) {
    const c = p.contactLookup;
    L.push(`contactLookup:   # ${both(c.why)}`);
    L.push(`  by: ${c.by}`);
    for (const k of ['companyColumn', 'nameColumn', 'mobileColumn', 'ordColumn'] as const) if (c[k]) L.push(`  ${k}: ${yamlScalar(c[k]!)}`);
  }
  L.push('mapping:   # 字段 ← 文件中的列 / field ← column of the file');
  const lines = p.fields.map((f) => [`  ${yamlScalar(f.field)}: ${mappingValue(f)}`, fieldComment(f)] as const);
  const width = Math.min(56, Math.max(...lines.map(([l]) => displayWidth(l))));
  for (const [l, c] of lines) L.push(`${l}${' '.repeat(Math.max(1, width - displayWidth(l) + 2))}# ${c}`);
  if (p.unmapped.length) {
    L.push('# 未映射的列（导入时忽略）/ columns not mapped (ignored on import):');
    for (const u of p.unmapped) L.push(commentText(`#   ${u.letter} ${u.header}：${u.why.zh} / ${u.why.en}`));
  }
  L.push('transforms: [trim, halfwidth]');
  if (p.lookup) L.push(`lookup: { by: ${p.lookup.by} }   # ${both(p.lookup.why)}`);
  if (p.write) {
    L.push(`write:   # ${both(p.write.why)}`);
    L.push(`  mode: ${p.write.mode}`);
    L.push(`  matchKeys: [${p.write.matchKeys.join(', ')}]`);
    if (p.write.mode === 'update') L.push('  blank: keep');
  }
  return `${L.join('\n')}\n`;
}

function mappingValue(f: ProposedField): string {
  if (f.value !== undefined) return `{ value: ${yamlScalar(f.value)} }`;
  const from = yamlScalar(f.header!);
  return f.transforms.length ? `{ from: ${from}, transforms: [${f.transforms.join(', ')}] }` : from;
}

function fieldComment(f: ProposedField): string {
  const c = CONFIDENCE_WORDS[f.confidence];
  const mark = f.placeholder ? '未找到，请修改 / NOT FOUND, edit this; ' : '';
  return commentText(`${mark}可信度 ${c.zh} / confidence ${c.en}：${f.why.zh} / ${f.why.en}`);
}

function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.codePointAt(0)! > 0x2e7f ? 2 : 1;
  return w;
}
