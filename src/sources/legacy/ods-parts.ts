/**
 * The parts of an .ods that SheetJS reads, taken out of the zip by yauzl under a size cap and put
 * back in a zip whose entries are stored, not compressed.
 *
 * Why not hand SheetJS the file itself: its zip reader inflates every entry at once into buffers
 * sized by what the entry's local header claims, outside the JavaScript heap, where the reading
 * thread's memory limit does not reach; a small crafted .ods (a zip bomb, or a header that lies)
 * could take gigabytes. yauzl checks each entry's real size against the central directory as it
 * inflates, and nothing past the cap is ever inflated.
 */
import * as XLSX from '@e965/xlsx';
import yauzl from 'yauzl';
import { InputError } from '../../errors.js';

/** What SheetJS's ODS reader looks at; pictures, thumbnails and settings are left behind. */
const PARTS = new Set(['mimetype', 'META-INF/manifest.xml', 'styles.xml', 'content.xml', 'meta.xml']);

export async function odsParts(file: string, buf: Buffer, maxBytes: number): Promise<Buffer> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, z) => (err ? reject(err) : resolve(z!))),
  ).catch((err: Error) => {
    throw corrupt(file, err);
  });
  const parts = new Map<string, Buffer>();
  let total = 0;
  let broken: Error | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (e: yauzl.Entry) => {
        const name = e.fileName.replace(/^\/+/, '');
        if (!PARTS.has(name) || parts.has(name)) return zip.readEntry();
        total += e.uncompressedSize;
        if (total > maxBytes) return reject(tooLarge(file, maxBytes));
        zip.openReadStream(e, (err, s) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          s!.on('data', (c: Buffer) => chunks.push(c));
          s!.on('error', (e2: Error) => {
            // An encrypted part does not inflate; the manifest, read later, tells whether that is why.
            broken ??= e2;
            zip.readEntry();
          });
          s!.on('end', () => {
            parts.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } catch (err) {
    throw err instanceof InputError ? err : corrupt(file, err as Error);
  } finally {
    zip.close();
  }
  if (parts.get('META-INF/manifest.xml')?.includes('encryption-data')) {
    throw new InputError(file, '工作簿设有打开密码，无法读取；请在 LibreOffice 或 WPS 中去掉密码另存后再导入 / the workbook is password-protected: remove the password in LibreOffice or WPS, save it and import that');
  }
  if (broken) throw corrupt(file, broken);
  if (!parts.has('content.xml')) {
    throw new InputError(file, '这个压缩文件不是 OpenDocument 电子表格（缺少 content.xml）/ this zip file is not an OpenDocument spreadsheet (no content.xml)');
  }
  const cfb = XLSX.CFB.utils.cfb_new();
  for (const [name, data] of parts) XLSX.CFB.utils.cfb_add(cfb, name, data);
  return XLSX.CFB.write(cfb, { type: 'buffer', fileType: 'zip', compression: false }) as Buffer;
}

function corrupt(file: string, err: Error): InputError {
  return new InputError(file, `.ods 文件已损坏 / the .ods file is corrupt: ${err.message.split('\n')[0]}`);
}

function tooLarge(file: string, maxBytes: number): InputError {
  const mb = Math.round(maxBytes / 2 ** 20);
  return new InputError(
    file,
    `.ods 文件解压后超过 ${mb} MB，无法读取；请在 LibreOffice 或 WPS 中另存为 .xlsx 或 CSV 后再导入 / the .ods file unpacks to more than ${mb} MB: save it as .xlsx or CSV and import that`,
  );
}
