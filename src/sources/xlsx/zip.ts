/**
 * Random access to the parts of an .xlsx (a zip): the central directory is read first, so the
 * shared strings and styles can be loaded before the sheet whatever order the office suite wrote
 * them in (LibreOffice puts the sheet first).
 *
 * Every part is checked against a size cap and a compression-ratio cap from the central
 * directory before it is inflated. The sizes there may lie; yauzl (validateEntrySizes) then
 * fails the stream as soon as it inflates one byte more than stated, so the caps hold while
 * inflating too.
 */
import yauzl from 'yauzl';
import type { Readable } from 'node:stream';
import { InputError } from '../../errors.js';
import { MAX_COMPRESSION_RATIO, MAX_PART_BYTES, MAX_ZIP_ENTRIES, mib, RATIO_CHECK_MIN_BYTES } from '../limits.js';

const SAVE_AS_CSV = '可在 Excel 中另存为 CSV UTF-8 后导入（CSV 没有这些上限）/ saving it as CSV UTF-8 from Excel avoids these caps';

export class XlsxZip {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<XlsxZip> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!))),
    ).catch((err: Error) => {
      throw new InputError(file, `不是有效的 .xlsx 文件（文件损坏或不完整）/ not a valid .xlsx file (corrupt or truncated): ${err.message}`);
    });
    if (zip.entryCount > MAX_ZIP_ENTRIES) {
      zip.close();
      throw new InputError(file, `.xlsx 压缩包有 ${zip.entryCount} 个条目，超过上限 ${MAX_ZIP_ENTRIES} / the workbook's zip lists ${zip.entryCount} entries, over the cap of ${MAX_ZIP_ENTRIES} (a crafted or damaged file)`);
    }
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName.replace(/^\/+/, ''), e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    }).catch((err: Error) => {
      zip.close();
      throw new InputError(file, `.xlsx 文件已损坏 / the .xlsx file is corrupt: ${err.message}`);
    });
    return new XlsxZip(zip, entries, file);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Names in the order the zip holds them (tests use it to prove LibreOffice's order). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  compressedSize(name: string): number {
    return this.entries.get(name)?.compressedSize ?? 0;
  }

  /** Size of a part once inflated, as the central directory states it (enforced while inflating). */
  uncompressedSize(name: string): number {
    return this.entries.get(name)?.uncompressedSize ?? 0;
  }

  /** Inflates a part, refusing it first when it is larger than `maxBytes` or compressed like a zip bomb. */
  stream(name: string, maxBytes: number): Promise<Readable> {
    const e = this.entries.get(name);
    if (!e) throw new InputError(this.file, `.xlsx 文件缺少 ${name} / the workbook has no ${name}`);
    if (e.uncompressedSize > maxBytes) {
      throw new InputError(this.file, `${name} 解压后有 ${mib(e.uncompressedSize)}，超过上限 ${mib(maxBytes)} / ${name} unpacks to ${mib(e.uncompressedSize)}, over the cap of ${mib(maxBytes)}`, [SAVE_AS_CSV]);
    }
    const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
    if (e.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > MAX_COMPRESSION_RATIO) {
      throw new InputError(this.file, `${name} 的压缩比为 ${Math.round(ratio)}:1，超过上限 ${MAX_COMPRESSION_RATIO}:1，疑似压缩炸弹 / ${name} is compressed ${Math.round(ratio)}:1, over the cap of ${MAX_COMPRESSION_RATIO}:1 (a zip bomb?)`, [SAVE_AS_CSV]);
    }
    return new Promise((resolve, reject) =>
      this.zip.openReadStream(e, (err, s) => (err ? reject(new InputError(this.file, `.xlsx 文件已损坏 / the .xlsx file is corrupt: ${err.message}`)) : resolve(s!))),
    );
  }

  async text(name: string, maxBytes = MAX_PART_BYTES): Promise<string> {
    const s = await this.stream(name, maxBytes);
    const chunks: Buffer[] = [];
    try {
      for await (const c of s) chunks.push(c as Buffer);
    } catch (err) {
      throw this.readError(name, err);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** An error while inflating a part, as a message naming the file and the part. */
  readError(name: string, err: unknown): InputError {
    const m = (err as Error)?.message ?? String(err);
    if (/too many bytes|too few bytes/.test(m)) {
      return new InputError(this.file, `${name} 解压后的大小与压缩包中登记的不符（文件被篡改或已损坏）/ ${name} does not inflate to the size the zip states (a crafted or damaged file): ${m}`);
    }
    return new InputError(this.file, `.xlsx 文件已损坏 / the .xlsx file is corrupt (${name}): ${m}`);
  }

  close(): void {
    this.zip.close();
  }
}
