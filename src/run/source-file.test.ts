import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSourceFile } from './source-file.js';

describe('source.file with a *', () => {
  it('is the newest matching file; names without * are themselves', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'latest-'));
    const at = (name: string, secondsAgo: number) => {
      writeFileSync(path.join(dir, name), 'x');
      const t = Date.now() / 1000 - secondsAgo;
      utimesSync(path.join(dir, name), t, t);
    };
    at('联系人-20261126.xlsx', 300);
    at('联系人-20261127.xlsx', 200);
    at('联系人-20261127-143005.xlsx', 100);
    at('联系人-20261128.csv', 10); // another extension
    at('.联系人-20261129.xlsx.123.tmp', 1); // an export still being written
    at('生日提醒-20261128.xlsx', 5);
    mkdirSync(path.join(dir, '联系人-folder.xlsx'));
    expect(await resolveSourceFile(path.join(dir, '联系人-*.xlsx'))).toBe(path.join(dir, '联系人-20261127-143005.xlsx'));
    expect(await resolveSourceFile(path.join(dir, '联系人-2026112?.xlsx'))).toBe(path.join(dir, '联系人-20261127.xlsx'));
    expect(await resolveSourceFile(path.join(dir, 'plain.xlsx'))).toBe(path.join(dir, 'plain.xlsx'));
  });

  it('no match, or no folder: a clear input error in both languages', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'latest-'));
    await expect(resolveSourceFile(path.join(dir, '联系人-*.xlsx'))).rejects.toThrow(/没有与 联系人-\*\.xlsx 匹配的文件 .* no file in .* matches `联系人-\*\.xlsx`/);
    await expect(resolveSourceFile(path.join(dir, 'nope', '*.xlsx'))).rejects.toThrow(/不存在 .* not found/);
  });
});
