/**
 * `zbport lint`: checks pipeline definitions and prints every problem with file, line and path,
 * file after file: a bad file (a YAML bomb, a 50 MB file) is reported and the next one checked.
 */
import { readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDefinition } from '../definition/load.js';
import { formatProblem, type ConfigProblem } from '../definition/problems.js';
import { say } from '../report/lang.js';

export interface LintOptions {
  /** Files or folders; empty means every pipeline in ./pipelines. */
  paths: string[];
  /** Where messages go (tests capture it). */
  out?: (line: string) => void;
}

/** Returns 0 when every file is valid, 2 otherwise. */
export async function lintCommand(opts: LintOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stderr.write(`${l}\n`));
  // By default every definition the project holds: pipelines and installation profiles.
  const files = await expand(opts.paths.length ? opts.paths : ['pipelines', 'installations'].filter((d) => existsSync(d)));
  if (!files.length) {
    out(`zbport lint: ${say('没有找到流水线文件', 'no pipeline files found')}`);
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    const problems = await lintFile(file);
    const errors = problems.filter((p) => p.level === 'error');
    problems.forEach((p) => out(formatProblem(p)));
    if (errors.length) bad++;
    else out(`${file}: ok${problems.length ? ` (${say(`${problems.length} 个警告`, `${problems.length} warning${problems.length > 1 ? 's' : ''}`)})` : ''}`);
  }
  return bad ? 2 : 0;
}

/**
 * One file's problems. Whatever goes wrong with one file (a hostile one included) is reported as
 * its problem, and lint goes on to the next file.
 */
export async function lintFile(file: string): Promise<ConfigProblem[]> {
  try {
    const r = await loadDefinition(file);
    return r.ok ? r.pipeline.warnings : r.problems;
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    return [{ file, path: '', level: 'error', message: `无法检查 / could not be checked (internal error, please report it): ${message.split('\n')[0]}` }];
  }
}

async function expand(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (s?.isDirectory()) {
      const names = (await readdir(p)).filter((n) => /\.ya?ml$/i.test(n)).sort();
      out.push(...names.map((n) => path.join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}
