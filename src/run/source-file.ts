/**
 * A `source.file` with `*` or `?` in its file name stands for the newest matching file of that
 * folder (by modification time; on a tie, the last name in order), so a pipeline can read "the
 * latest export" (`exports/联系人-*.xlsx`) whatever date and time the export put in its name.
 * Hidden files (an export's temporary file starts with a dot) and folders never match.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';

export function isPattern(file: string): boolean {
  return /[*?]/.test(path.basename(file));
}

/** The file to read: `file` itself, or the newest file its pattern matches. */
export async function resolveSourceFile(file: string): Promise<string> {
  if (!isPattern(file)) return file;
  const dir = path.dirname(file);
  const name = path.basename(file);
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? `文件夹 ${dir} 不存在 / folder \`${dir}\` not found` : `无法读取文件夹 ${dir} / cannot read folder \`${dir}\` (${code})`);
  }
  let best: { file: string; mtime: number } | undefined;
  for (const n of names.filter((x) => !x.startsWith('.') && re.test(x)).sort()) {
    const full = path.join(dir, n);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (!best || st.mtimeMs >= best.mtime) best = { file: full, mtime: st.mtimeMs };
  }
  if (!best) {
    throw new InputError(file, `文件夹 ${dir} 中没有与 ${name} 匹配的文件 / no file in \`${dir}\` matches \`${name}\``, ['先运行导出，或用 --input 指定文件 / run the export first, or name the file with --input']);
  }
  return best.file;
}
