/**
 * `zbport init FILE`: reads a spreadsheet's header and first rows, proposes an import pipeline
 * and writes it to pipelines/NAME.yaml (never over an existing file without --force), checked by
 * the same loader as `zbport lint` before it is written.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogHeaderKeys, knownHeaderKeys, propose, readSample, renderPipeline } from '../init/index.js';
import { parsePipeline } from '../definition/load.js';
import { formatProblem } from '../definition/problems.js';
import { reportFatal } from '../cli/fatal.js';
import { lang, localize, say as t } from '../report/lang.js';
import { ensureDir } from '../ensure-dir.js';

export interface InitOptions {
  file: string;
  /** Pipeline name (default from the file's name). */
  name?: string;
  /** Pipeline file to write (default pipelines/NAME.yaml). */
  output?: string;
  force: boolean;
  sheet?: string | number;
  headerRow?: number;
  entity?: 'contact' | 'followup';
  quiet?: boolean;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

export async function initCommand(o: InitOptions): Promise<number> {
  const say = (s: string) => process.stderr.write(`${localize(s)}\n`);
  if (o.name !== undefined && !NAME.test(o.name)) {
    say(`zbport init: --name 只能包含字母、数字和 _.- 三个符号：${o.name} / --name may hold letters, digits, _ . - only: ${o.name}`);
    return 2;
  }
  let sample;
  try {
    sample = await readSample({ file: o.file, sheet: o.sheet, headerRow: o.headerRow, known: new Set([...catalogHeaderKeys(), ...knownHeaderKeys()]) });
  } catch (err) {
    return reportFatal(err);
  }
  if (!sample.headers.some((h) => h.trim())) {
    say(`zbport init: ${o.file}: 表头行（第 ${sample.headerRow} 行）是空的，请用 --header-row 指定表头所在行 / the header row (row ${sample.headerRow}) is empty; name it with --header-row`);
    return 2;
  }
  const proposal = propose(sample, { entity: o.entity });

  const base = o.name ?? defaultName(o.file, proposal.entity);
  let name = base;
  let out = o.output ?? path.join('pipelines', `${name}.yaml`);
  if (existsSync(out) && !o.force) {
    if (o.name !== undefined || o.output !== undefined) {
      say(`zbport init: ${out} 已存在，不会覆盖 / exists and is not replaced: choose another --name or --output, or add --force to replace it`);
      return 2;
    }
    // A name made from the file's: the next free one, as exports do.
    for (let i = 2; existsSync(out); i++) {
      name = `${base}-${i}`;
      out = path.join('pipelines', `${name}.yaml`);
    }
  }
  const rel = path.relative(process.cwd(), path.resolve(o.file));
  const sourceFile = (rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(o.file) : rel).split(path.sep).join('/');
  const text = renderPipeline(proposal, sample, { name, pipelineFile: out, sourceFile });
  // What is written must load as it stands: checked by the loader `zbport lint` uses.
  const check = parsePipeline(out, text);
  if (!check.ok) {
    say('zbport init: 内部错误，生成的流水线未通过检查，未写入（请报告）/ internal error: the proposed pipeline does not pass lint and was not written (please report it):');
    for (const p of check.problems) say(`  ${formatProblem(p)}`);
    return 2;
  }
  try {
    ensureDir(path.dirname(path.resolve(out)));
    writeFileSync(out, text, { flag: o.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    say(`zbport init: 无法写入 ${out} / cannot write ${out} (${code ?? (err as Error).message})`);
    return 2;
  }

  const mapped = proposal.fields.filter((f) => f.header !== undefined && !f.placeholder).length;
  const zhOnly = lang() === 'zh';
  // `标签：值` in Chinese, `label: value` otherwise.
  const label = (zh: string, en: string) => (zhOnly ? `${zh}：` : `${t(zh, en)}: `);
  const headerRow = t(`表头在第 ${sample.headerRow} 行`, `header row ${sample.headerRow}`);
  say(`zbport init: ${out} ← ${o.file}${sample.sheet ? ` [${sample.sheet}]` : ''}${zhOnly ? `（${headerRow}）` : ` (${headerRow})`}`);
  if (!o.quiet) {
    const n = proposal.unmapped.length;
    say(`  ${proposal.entity === 'contact' ? label('联系人', 'contact') : label('洽谈进展', 'followup')}${t(`映射 ${mapped} 列，未映射 ${n} 列（文件中列出了原因）`, `${mapped} columns mapped, ${n} not mapped (listed in the file with the reason)`)}`);
    for (const w of proposal.warnings) say(`  ${label('注意', 'note')}${t(w.zh, w.en)}`);
    say(`  下一步 / next: zbport lint ${out} && zbport run ${out} --dry-run`);
  }
  return 0;
}

/** The file's name as a pipeline name, or one for the entity when the name has no Latin letters or digits. */
function defaultName(file: string, entity: 'contact' | 'followup'): string {
  const stem = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return /[A-Za-z0-9]/.test(stem) ? stem : entity === 'contact' ? 'import-contacts' : 'import-followups';
}
