import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowProblem } from '../errors.js';
import { openXlsx } from '../sources/xlsx/index.js';
import { asNumber, RejectsWorkbook } from './rejects-workbook.js';

const HEADERS = ['客户名称', '姓名', '年龄', '生日', '手机', '邮编', '金额'];
const problem = (row: number, column: string | undefined, letter: string | undefined, zh: string): RowProblem =>
  ({ code: 'ROW_INVALID', row, column, columnLetter: letter, message: { zh, en: `en ${zh}` } });

async function read(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets[0];
}

describe('rejects workbook', () => {
  it('numbers and dates as typed cells; phone-like and leading-zero values as text', () => {
    expect(asNumber('35')).toBe(35);
    expect(asNumber('-2.5')).toBe(-2.5);
    expect(asNumber('123456')).toBe(123456);
    for (const t of ['13800138000', '1234567', '010010', '007', '3.50', '1e5', '+86', '', '1,000', ' 35']) expect(asNumber(t), t).toBeUndefined();
  });

  for (const memoryChars of [undefined, 1]) {
    it(`writes 原始行号 first, rows in source order, typed cells, notes and widths${memoryChars ? ' (spilled to disk row by row)' : ''}`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rejects-'));
      const file = path.join(dir, 'rejects.xlsx');
      const w = new RejectsWorkbook({ file, sheet: '联系人', headers: HEADERS, headerRow: 1, memoryChars });
      // As an import with several rows in flight reports them: out of order.
      w.add(['华为技术有限公司', '丙', 'abc', undefined, '13800138000', '010010', '12.5'], [problem(9, '年龄', 'C', '年龄应为整数')]);
      w.add(['华为技术有限公司', '甲', '35', { kind: 'date', text: '1985-12-31' }, '13800138001', undefined, '7'], [problem(3, undefined, undefined, 'ERP 拒绝')]);
      w.add(['华为技术有限公司', `${'很长的名字'.repeat(30)}`, '41', { kind: 'date', text: '2024-01-02 08:30:00' }, '', '100080', '', '多出的格'], [problem(5, '姓名', 'B', '姓名超过50个字')]);
      expect(await w.close()).toBe(file);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

      const ws = await read(file);
      expect(ws.name).toBe('联系人');
      expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['原始行号', '错误原因', ...HEADERS]);
      expect([2, 3, 4].map((r) => ws.getRow(r).getCell(1).value)).toEqual([3, 5, 9]);
      const first = ws.getRow(2);
      expect(first.getCell(2).value).toBe('ERP 拒绝');
      expect(first.getCell(5).value).toBe(35);
      expect(first.getCell(6).value).toEqual(new Date(Date.UTC(1985, 11, 31)));
      expect(first.getCell(6).numFmt).toBe('yyyy-mm-dd');
      expect(first.getCell(7).value).toBe('13800138001');
      expect(first.getCell(9).value).toBe(7);
      const last = ws.getRow(4);
      expect(last.getCell(5).value).toBe('abc');
      expect(last.getCell(8).value).toBe('010010');
      expect(last.getCell(9).value).toBe(12.5);
      expect(JSON.stringify(last.getCell(5).note)).toContain('年龄应为整数');
      expect((last.getCell(5).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFFC7CE');
      expect(last.getCell(4).note).toBeUndefined();
      const middle = ws.getRow(3);
      expect(middle.getCell(2).value).toBe('姓名：姓名超过50个字');
      expect(middle.getCell(10).value).toBe('多出的格');
      expect(middle.getCell(6).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
      // Widths fitted: the long name column is wide (capped), 年龄 narrow, 原始行号 fits its header.
      expect(ws.getColumn(4).width).toBeGreaterThanOrEqual(60);
      expect(ws.getColumn(5).width).toBeLessThan(10);
      expect(ws.getColumn(1).width).toBeGreaterThanOrEqual(10);

      // Read back by zbport's own reader, the cells are the source's text again.
      const reader = await openXlsx({ file });
      const rows: unknown[] = [];
      for await (const r of reader.rows) rows.push(r.cells.slice(2, 9));
      expect(rows[0]).toEqual(['华为技术有限公司', '甲', '35', { kind: 'date', text: '1985-12-31' }, '13800138001', undefined, '7']);
      expect(rows[2]).toEqual(['华为技术有限公司', '丙', 'abc', undefined, '13800138000', '010010', '12.5']);
    });
  }

  it('a rejects file imported again keeps one 原始行号 and one 错误原因 column, fresh', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rejects-'));
    const file = path.join(dir, 'rejects.xlsx');
    const w = new RejectsWorkbook({ file, sheet: 'S', headers: ['原始行号', '错误原因', '姓名', '年龄'], headerRow: 1 });
    w.add(['9', '旧原因', '甲', 'x'], [problem(2, '年龄', 'D', '新原因')]);
    await w.close();
    const ws = await read(file);
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['原始行号', '错误原因', '姓名', '年龄']);
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual([2, '年龄：新原因', '甲', 'x']);
    expect(JSON.stringify(ws.getRow(2).getCell(4).note)).toContain('新原因');
  });

  it('writes nothing when nothing was rejected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rejects-'));
    expect(await new RejectsWorkbook({ file: path.join(dir, 'r.xlsx'), sheet: 'S', headers: ['a'], headerRow: 1 }).close()).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});
