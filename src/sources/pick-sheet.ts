/**
 * Which sheet of a workbook a pipeline reads, the same way for every workbook kind: by 1-based
 * index or by name (exact, then ignoring case and surrounding spaces); default the first visible one.
 */
import { InputError } from '../errors.js';

export function pickSheet<T extends { name: string; hidden?: boolean }>(file: string, sheets: T[], want: string | number | undefined): T {
  if (!sheets.length) throw new InputError(file, '工作簿中没有工作表 / the workbook has no sheets');
  if (want === undefined) return sheets.find((s) => !s.hidden) ?? sheets[0];
  const byIndex = typeof want === 'number' || /^\d+$/.test(want) ? sheets[Number(want) - 1] : undefined;
  const found = byIndex ?? sheets.find((s) => s.name === want) ?? sheets.find((s) => s.name.trim().toLowerCase() === String(want).trim().toLowerCase());
  if (!found) {
    throw new InputError(file, `没有名为“${want}”的工作表 / no sheet \`${want}\``, [`sheets: ${sheets.map((s) => s.name).join(', ')}`]);
  }
  return found;
}
