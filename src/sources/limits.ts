/**
 * Input caps of the source readers. A crafted or damaged file (a 2 KB workbook naming column
 * `EZZZZZ`, shared strings that unpack to 450 MB, a line of ten million commas) must end with a
 * clear message in bounded memory and time, never by exhausting the heap. Each cap is stated in
 * the README ("Input limits / 输入上限"); change both together.
 */

const MiB = 1024 * 1024;

/** Excel's own sheet size: rows 1 … 1,048,576, columns A … XFD. Beyond is a corrupt or crafted file. */
export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;

/**
 * Characters one row may hold (CSV record or worksheet row, every cell counted). csv-parse's
 * `max_record_size` enforces it for CSV; the worksheet reader counts the cells it yields.
 */
export const MAX_ROW_CHARS = 32 * MiB;

/**
 * Characters one worksheet may yield in all. A shared string is stored once but counts each time
 * a cell names it, so a small file cannot make the run (and its rejects.xlsx) handle terabytes.
 */
export const MAX_SHEET_CHARS = 2048 * MiB;

/** Parts of a workbook (uncompressed), checked against the zip's central directory and again while inflating. */
export const MAX_SHARED_STRINGS_BYTES = 256 * MiB;
/** Distinct shared strings (each costs four bytes beside its text). */
export const MAX_SHARED_STRINGS = 16_777_216;
/** The worksheet read, streamed: this bounds time, not memory. */
export const MAX_SHEET_BYTES = 2048 * MiB;
/** Every other part read (workbook.xml, its relationships, styles.xml), each read whole. */
export const MAX_PART_BYTES = 32 * MiB;
/**
 * Uncompressed : compressed, for parts over 1 MiB. Deflate tops out near 1,032:1 (a zip bomb);
 * real workbooks stay far below (the LibreOffice fixture's shared strings, long repeated notes,
 * are 104:1; sheets 7–11:1).
 */
export const MAX_COMPRESSION_RATIO = 200;
export const RATIO_CHECK_MIN_BYTES = 1 * MiB;
/** Entries in a workbook's zip (real ones have dozens; each costs memory while listing). */
export const MAX_ZIP_ENTRIES = 10_000;

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;
}
