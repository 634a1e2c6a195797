/**
 * Streaming .xlsx reader that beats exceljs's WorkbookReader on the traps measured here: it
 * decodes UTF-8 with a streaming decoder (no U+FFFD at chunk boundaries), reads shared strings and
 * styles first through the zip's central directory (LibreOffice writes the sheet before them),
 * and joins rich-text runs. Cells become the text a person sees.
 */
import { SaxesParser } from 'saxes';
import { InputError } from '../../errors.js';
import type { Cell, SourceReader, SourceRow } from '../types.js';
import { fromExcelSerial } from '../../validate/dates.js';
import { local, parseSharedStrings, parseStyles, parseWorkbook, unescapeOoxml, type NumberStyles, type SheetRef } from './parts.js';
import { XlsxZip } from './zip.js';

export interface XlsxOptions {
  file: string;
  /** Sheet name or 1-based index; default: the first sheet. */
  sheet?: string | number;
  headerRow?: number;
}

export async function openXlsx(o: XlsxOptions): Promise<SourceReader> {
  const zip = await XlsxZip.open(o.file);
  try {
    if (!zip.has('xl/workbook.xml')) {
      throw new InputError(o.file, '这个压缩文件不是 Excel 工作簿 / this zip file is not an Excel workbook (no xl/workbook.xml)');
    }
    const info = parseWorkbook(await zip.text('xl/workbook.xml'), zip.has('xl/_rels/workbook.xml.rels') ? await zip.text('xl/_rels/workbook.xml.rels') : '');
    const sheet = pickSheet(o.file, info.sheets, o.sheet);
    const shared = zip.has('xl/sharedStrings.xml') ? parseSharedStrings(await zip.text('xl/sharedStrings.xml')) : [];
    const styles = parseStyles(zip.has('xl/styles.xml') ? await zip.text('xl/styles.xml') : undefined);
    const total = zip.compressedSize(sheet.path);
    const reader = new SheetReader(o.file, zip, sheet.path, shared, styles, info.date1904);
    const headerRow = o.headerRow ?? 1;
    const it = reader.rows()[Symbol.asyncIterator]();
    let header: SourceRow | undefined;
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      if (r.value.row === headerRow) {
        header = r.value;
        break;
      }
      if (r.value.row > headerRow) break;
    }
    if (!header) {
      zip.close();
      throw new InputError(o.file, `工作表“${sheet.name}”的第 ${headerRow} 行没有表头 / sheet \`${sheet.name}\` has no header in row ${headerRow} (the sheet is empty or the header row is set wrong)`);
    }
    const headers = header.cells.map((c) => (c === undefined ? '' : typeof c === 'string' ? c.trim() : c.text));
    async function* rows(): AsyncGenerator<SourceRow> {
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      } finally {
        zip.close();
      }
    }
    return {
      file: o.file,
      sheet: sheet.name,
      headers,
      headerRow,
      rows: rows(),
      progress: () => ({ done: reader.bytesRead, total }),
      close: async () => {
        await it.return?.(undefined);
        zip.close();
      },
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

function pickSheet(file: string, sheets: SheetRef[], want: string | number | undefined): SheetRef {
  if (!sheets.length) throw new InputError(file, '工作簿中没有工作表 / the workbook has no sheets');
  if (want === undefined) return sheets.find((s) => !s.hidden) ?? sheets[0];
  const byIndex = typeof want === 'number' || /^\d+$/.test(want) ? sheets[Number(want) - 1] : undefined;
  const found = byIndex ?? sheets.find((s) => s.name === want) ?? sheets.find((s) => s.name.trim().toLowerCase() === String(want).trim().toLowerCase());
  if (!found) {
    throw new InputError(file, `没有名为“${want}”的工作表 / no sheet \`${want}\``, [`sheets: ${sheets.map((s) => s.name).join(', ')}`]);
  }
  return found;
}

/** Column letters of a cell reference (`AB12`) → 0-based index. */
function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

class SheetReader {
  bytesRead = 0;

  constructor(
    private readonly file: string,
    private readonly zip: XlsxZip,
    private readonly path: string,
    private readonly shared: string[],
    private readonly styles: NumberStyles,
    private readonly date1904: boolean,
  ) {}

  async *rows(): AsyncGenerator<SourceRow> {
    const stream = await this.zip.stream(this.path);
    const decoder = new TextDecoder('utf-8');
    const parser = new SaxesParser({ xmlns: false });
    const ready: SourceRow[] = [];
    let rowNum = 0;
    let cells: Cell[] = [];
    let nonEmpty = false;
    let col = -1;
    let type = '';
    let style = 0;
    let inValue = false;
    let inInline = false;
    let phonetic = 0;
    let text = '';
    let inlineText = '';

    parser.on('opentag', (t) => {
      const n = local(t.name);
      switch (n) {
        case 'row': {
          const r = (t.attributes as Record<string, string>).r;
          rowNum = r ? Number(r) : rowNum + 1;
          cells = [];
          nonEmpty = false;
          col = -1;
          break;
        }
        case 'c': {
          const a = t.attributes as Record<string, string>;
          col = a.r ? columnIndex(a.r) : col + 1;
          type = a.t ?? 'n';
          style = a.s ? Number(a.s) : 0;
          text = '';
          inlineText = '';
          break;
        }
        case 'v':
          inValue = true;
          break;
        case 'is':
          inInline = true;
          break;
        case 'rPh':
          phonetic++;
          break;
        case 't':
          break;
      }
    });
    const onText = (s: string) => {
      if (inValue) text += s;
      else if (inInline && phonetic === 0) inlineText += s;
    };
    parser.on('text', onText);
    parser.on('cdata', onText);
    parser.on('closetag', (t) => {
      const n = local(t.name);
      if (n === 'v') inValue = false;
      else if (n === 'is') inInline = false;
      else if (n === 'rPh') phonetic--;
      else if (n === 'c') {
        const v = this.cell(type, style, text, inlineText);
        if (v !== undefined && v !== '') {
          cells[col] = v;
          nonEmpty = true;
        }
      } else if (n === 'row') {
        if (nonEmpty) ready.push({ row: rowNum, cells: Array.from(cells) });
      }
    });

    try {
      for await (const chunk of stream) {
        this.bytesRead += (chunk as Buffer).length;
        parser.write(decoder.decode(chunk as Buffer, { stream: true }));
        while (ready.length) yield ready.shift()!;
      }
      parser.write(decoder.decode());
      parser.close();
      while (ready.length) yield ready.shift()!;
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(this.file, `工作表数据已损坏 / the sheet data is corrupt: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      stream.destroy();
    }
  }

  private cell(type: string, style: number, v: string, inline: string): Cell {
    switch (type) {
      case 's': {
        const s = this.shared[Number(v)];
        if (s === undefined) return undefined;
        return s;
      }
      case 'inlineStr':
        return unescapeOoxml(inline);
      case 'str':
        return unescapeOoxml(v);
      case 'b':
        return v === '1' || v === 'true' ? 'TRUE' : v === '' ? undefined : 'FALSE';
      case 'e':
        return { kind: 'error', text: v || '#VALUE!' };
      case 'd': {
        const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(v);
        if (!m) return v;
        return { kind: 'date', text: m[2] && m[2] !== '00:00:00' ? `${m[1]} ${m[2]}` : m[1] };
      }
      default: {
        if (v === '') return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) return v;
        if (this.styles.isDate[style]) {
          const d = fromExcelSerial(n, this.date1904);
          if (d.ok) return { kind: 'date', text: d.date };
        }
        return formatNumber(n, this.styles.code[style]);
      }
    }
  }
}

/** A number as Excel shows it in General format: no exponent for phone-sized integers, no float noise. */
export function formatNumber(n: number, code: string | undefined): string {
  if (code && /^0+$/.test(code) && Number.isInteger(n) && n >= 0) return String(n).padStart(code.length, '0');
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
  const s = String(Number(n.toPrecision(15)));
  if (!s.includes('e')) return s;
  return n.toFixed(Math.min(20, Math.max(0, 15 - Math.floor(Math.log10(Math.abs(n)))))).replace(/\.?0+$/, '');
}
