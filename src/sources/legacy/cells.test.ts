import { describe, expect, it } from 'vitest';
import type { CellObject, WorkSheet } from '@e965/xlsx';
import { InputError } from '../../errors.js';
import { pickSheet, sheetRows, toCell } from './cells.js';

const n = (v: number, z?: string, w?: string): CellObject => ({ t: 'n', v, z, w });

describe('toCell', () => {
  it('writes numbers out in full and honours 000000 formats', () => {
    expect(toCell(n(13912345678, 'General'), false)).toBe('13912345678');
    expect(toCell(n(13912345678), false)).toBe('13912345678');
    expect(toCell(n(10010, '000000'), false)).toBe('010010');
    expect(toCell(n(0.1 + 0.2), false)).toBe('0.3');
    expect(toCell(n(-42), false)).toBe('-42');
  });

  it('reads serials in date formats in the workbook’s date system', () => {
    expect(toCell(n(31412, 'yyyy\\-mm\\-dd'), false)).toEqual({ kind: 'date', text: '1985-12-31' });
    expect(toCell(n(29950, 'yyyy\\-mm\\-dd'), true)).toEqual({ kind: 'date', text: '1985-12-31' });
    expect(toCell(n(31412.5, 'm/d/yy h:mm'), false)).toEqual({ kind: 'date', text: '1985-12-31 12:00:00' });
    expect(toCell(n(31412, 'yyyy"年"m"月"d"日"'), false)).toEqual({ kind: 'date', text: '1985-12-31' });
    // A time of day alone has no date: it stays a number, as in the .xlsx reader.
    expect(toCell(n(0.5, 'h:mm'), false)).toBe('0.5');
  });

  it('keeps text as it is, errors and booleans as Excel shows them', () => {
    expect(toCell({ t: 's', v: '0123456' }, false)).toBe('0123456');
    expect(toCell({ t: 's', v: '' }, false)).toBeUndefined();
    expect(toCell({ t: 'z' }, false)).toBeUndefined();
    expect(toCell(undefined, false)).toBeUndefined();
    expect(toCell({ t: 'e', v: 0x2a }, false)).toEqual({ kind: 'error', text: '#N/A' });
    expect(toCell({ t: 'e', v: 7, w: '#DIV/0!' }, false)).toEqual({ kind: 'error', text: '#DIV/0!' });
    expect(toCell({ t: 'b', v: true }, false)).toBe('TRUE');
    expect(toCell({ t: 'b', v: false }, false)).toBe('FALSE');
    // LibreOffice's .ods booleans: the number 1 shown as TRUE.
    expect(toCell(n(1, undefined, 'TRUE'), false)).toBe('TRUE');
    expect(toCell(n(1, undefined, '1'), false)).toBe('1');
  });
});

describe('sheetRows', () => {
  it('numbers rows as Excel does, skips empty ones and leaves holes undefined', () => {
    const ws = { '!data': [[{ t: 's', v: '姓名' }, undefined, { t: 's', v: '手机' }], undefined, [{ t: 's', v: '' }, { t: 'z' }], [undefined, { t: 'n', v: 13800138000 }]] } as unknown as WorkSheet;
    expect(sheetRows(ws, false)).toEqual([
      { row: 1, cells: ['姓名', undefined, '手机'] },
      { row: 4, cells: [undefined, '13800138000'] },
    ]);
  });
});

describe('pickSheet', () => {
  const sheets = [{ name: '下拉列表', hidden: true }, { name: '联系人', hidden: false }, { name: 'Data', hidden: false }];
  it('takes the first visible sheet by default, then index, name, or name ignoring case and spaces', () => {
    expect(pickSheet('f.xls', sheets, undefined).name).toBe('联系人');
    expect(pickSheet('f.xls', sheets, 1).name).toBe('下拉列表');
    expect(pickSheet('f.xls', sheets, '3').name).toBe('Data');
    expect(pickSheet('f.xls', sheets, ' data ').name).toBe('Data');
  });
  it('names the sheets there are when the one asked for is missing', () => {
    expect(() => pickSheet('f.xls', sheets, '客户')).toThrow(InputError);
    expect(() => pickSheet('f.xls', sheets, 4)).toThrow('no sheet `4`');
    expect(() => pickSheet('f.xls', [], undefined)).toThrow('the workbook has no sheets');
  });
});
