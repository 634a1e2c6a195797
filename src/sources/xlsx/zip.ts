/**
 * Random access to the parts of an .xlsx (a zip): the central directory is read first, so the
 * shared strings and styles can be loaded before the sheet whatever order the office suite wrote
 * them in (LibreOffice puts the sheet first).
 */
import yauzl from 'yauzl';
import type { Readable } from 'node:stream';
import { InputError } from '../../errors.js';

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

  stream(name: string): Promise<Readable> {
    const e = this.entries.get(name);
    if (!e) throw new InputError(this.file, `.xlsx 文件缺少 ${name} / the workbook has no ${name}`);
    return new Promise((resolve, reject) =>
      this.zip.openReadStream(e, (err, s) => (err ? reject(new InputError(this.file, `.xlsx 文件已损坏 / the .xlsx file is corrupt: ${err.message}`)) : resolve(s!))),
    );
  }

  async text(name: string): Promise<string> {
    const s = await this.stream(name);
    const chunks: Buffer[] = [];
    try {
      for await (const c of s) chunks.push(c as Buffer);
    } catch (err) {
      throw new InputError(this.file, `.xlsx 文件已损坏 / the .xlsx file is corrupt (${name}): ${(err as Error).message}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  close(): void {
    this.zip.close();
  }
}
