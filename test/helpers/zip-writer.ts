/**
 * A small zip writer for hostile test workbooks: entries may be generated piece by piece (a
 * 450 MB part is never held in memory) and may state a size they do not have, which no zip
 * library will write on purpose. Deflate comes from node:zlib; each piece is compressed on its
 * own and sync-flushed, so the pieces join into one valid deflate stream.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** The content, or a generator of its pieces. */
  data: string | Buffer | (() => Iterable<string | Buffer>);
  /** Stored rather than deflated. */
  store?: boolean;
  /** The uncompressed size the headers state, when it should not be the true one. */
  declaredSize?: number;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export function writeZip(file: string, entries: ZipEntry[]): string {
  const fd = openSync(file, 'w');
  let pos = 0;
  const put = (b: Buffer, at?: number) => {
    writeSync(fd, b, 0, b.length, at ?? pos);
    if (at === undefined) pos += b.length;
  };
  const central: Buffer[] = [];
  try {
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const method = e.store ? 0 : 8;
      const headerAt = pos;
      const header = (crc: number, csize: number, usize: number) =>
        Buffer.concat([u32(0x04034b50), u16(20), u16(0x0800), u16(method), u16(0), u16(0x21), u32(crc), u32(csize), u32(usize), u16(name.length), u16(0), name]);
      put(header(0, 0, 0));
      let crc = 0;
      let csize = 0;
      let usize = 0;
      const pieces = typeof e.data === 'function' ? e.data() : [e.data];
      for (const p of pieces) {
        const raw = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
        crc = zlib.crc32(raw, crc);
        usize += raw.length;
        const out = e.store ? raw : zlib.deflateRawSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
        csize += out.length;
        put(out);
      }
      if (!e.store) {
        const end = zlib.deflateRawSync(Buffer.alloc(0));
        csize += end.length;
        put(end);
      }
      const stated = e.declaredSize ?? usize;
      put(header(crc, csize, stated), headerAt);
      central.push(Buffer.concat([
        u32(0x02014b50), u16(20), u16(20), u16(0x0800), u16(method), u16(0), u16(0x21), u32(crc), u32(csize), u32(stated),
        u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(headerAt), name,
      ]));
    }
    const cdAt = pos;
    const cd = Buffer.concat(central);
    put(cd);
    put(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(cd.length), u32(cdAt), u16(0)]));
  } finally {
    closeSync(fd);
  }
  return file;
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
export const WORKBOOK_XML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="联系人" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;

export const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
export const SHEET_TAIL = '</sheetData></worksheet>';

/** An inline-string cell. */
export const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

/**
 * A minimal workbook (one sheet 联系人, inline strings) with any part replaced or added:
 * `xl/worksheets/sheet1.xml`, `xl/sharedStrings.xml`, `xl/workbook.xml`…
 */
export function writeWorkbook(file: string, parts: Record<string, Omit<ZipEntry, 'name'>>): string {
  const base: Record<string, Omit<ZipEntry, 'name'>> = {
    '[Content_Types].xml': { data: CONTENT_TYPES },
    '_rels/.rels': { data: ROOT_RELS },
    'xl/workbook.xml': { data: WORKBOOK_XML },
    'xl/_rels/workbook.xml.rels': { data: WORKBOOK_RELS },
    'xl/worksheets/sheet1.xml': { data: `${SHEET_HEAD}<row r="1">${cell('A1', '客户名称')}${cell('B1', '姓名')}</row>${SHEET_TAIL}` },
  };
  return writeZip(file, Object.entries({ ...base, ...parts }).map(([name, e]) => ({ name, ...e })));
}
