/**
 * Progress on a terminal: one line redrawn with a bar, the share of the file done, rows done,
 * rejected and failed, rows/s and ETA. Not a terminal (cron, CI, a pipe): a plain line every 10
 * seconds instead.
 *
 * The share comes from the reader's position in the file (bytes of a CSV, inflated bytes of an
 * .xlsx sheet against its uncompressed size, rows of a legacy workbook), scaled by the share of
 * the rows read that are finished (rows in flight are not done yet). Rate and ETA count from the
 * first row, so the connection check and a dry run's loading of existing contacts do not make
 * the first minutes look slow.
 */

import { lang, say, type Lang } from './lang.js';

/** Where the rows read so far stand. */
export interface ProgressCounts {
  read: number;
  /** Finished with an outcome that is not a rejection or a failure (created, updated, unchanged, would-…). */
  done: number;
  rejected: number;
  failed: number;
}

export interface Progress {
  update(counts: ProgressCounts, position?: { done: number; total: number }): void;
  done(counts: ProgressCounts, position?: { done: number; total: number }): void;
  /** Adds the current limit of requests in flight to the line (write.concurrency: auto). */
  showLimit?(limit: () => number): void;
}

/** The progress counts of an import summary (structurally; this layer does not know the pipeline). */
export function progressCounts(s: {
  read: number; rejected: number; failed: number; interrupted?: number;
  created: number; updated: number; unchanged: number; skipped: number; doneEarlier: number; wouldCreate: number; wouldUpdate: number; wouldSkip: number;
}): ProgressCounts {
  return {
    read: s.read,
    done: s.created + s.updated + s.unchanged + s.skipped + s.doneEarlier + s.wouldCreate + s.wouldUpdate + s.wouldSkip + (s.interrupted ?? 0),
    rejected: s.rejected,
    failed: s.failed,
  };
}

/** What the line shows, computed (tests check it without a terminal). */
export interface ProgressState {
  /** 0..1, or undefined when the reader cannot tell where it is. */
  fraction?: number;
  rowsPerSecond: number;
  /** Seconds left, once enough of the file is done to tell. */
  etaSeconds?: number;
  /** With write.concurrency: auto, the limit of requests in flight now. */
  limit?: number;
}

/**
 * The share done: the reader's position, times the share of the rows read that are finished.
 * `since`: the time and share at the first row; rate and ETA count from there.
 */
export function progressState(c: ProgressCounts, position: { done: number; total: number } | undefined, nowMs: number, since: { atMs: number; fraction: number; rows: number } | undefined): ProgressState {
  let fraction: number | undefined;
  if (position && position.total > 0) {
    const read = Math.min(1, Math.max(0, position.done / position.total));
    const finished = c.read ? Math.min(1, (c.done + c.rejected + c.failed) / c.read) : 0;
    fraction = read * finished;
  }
  const secs = since ? Math.max(0, (nowMs - since.atMs) / 1000) : 0;
  const finishedRows = c.done + c.rejected + c.failed;
  const rowsPerSecond = secs > 0 ? Math.max(0, finishedRows - (since?.rows ?? 0)) / secs : 0;
  let etaSeconds: number | undefined;
  if (fraction !== undefined && since && secs >= 1) {
    const gained = fraction - since.fraction;
    if (gained > 0.005) etaSeconds = (secs / gained) * (1 - fraction);
  }
  return { fraction, rowsPerSecond, etaSeconds };
}

/** The line itself: Chinese and English side by side, or the one language asked for. */
export function progressLine(label: string, c: ProgressCounts, st: ProgressState, l: Lang = lang()): string {
  // Word pairs rather than `中文 / English`: the line is redrawn in place and must stay short.
  const w = (zh: string, en: string) => (l === 'zh' ? zh : l === 'en' ? en : `${zh} ${en}`);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  let bar = '';
  if (st.fraction !== undefined) {
    const width = 20;
    const filled = Math.min(width, Math.floor(st.fraction * width));
    // Rounded down: 100% only when every row is finished.
    bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(st.fraction * 100)).padStart(3)}% `;
  }
  const parts = [`${n(c.read)} ${w('行', 'rows')}`, `${w('完成', 'done')} ${n(c.done)}`];
  if (c.rejected) parts.push(`${w('拒绝', 'rejected')} ${n(c.rejected)}`);
  if (c.failed) parts.push(`${w('失败', 'failed')} ${n(c.failed)}`);
  parts.push(`${n(st.rowsPerSecond)} ${w('行/秒', 'rows/s')}`);
  if (st.etaSeconds !== undefined) parts.push(`${w('剩余', 'ETA')} ${clock(st.etaSeconds)}`);
  if (st.limit !== undefined) parts.push(`${w('并发', 'in flight ≤')} ${st.limit}`);
  return `${label} ${bar}${parts.join(' · ')}`;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const start = Date.now();
  let lastPlain = start;
  let since: { atMs: number; fraction: number; rows: number } | undefined;
  let lastPosition: { done: number; total: number } | undefined;
  const tty = stream.isTTY && !quiet;
  let limit: (() => number) | undefined;
  const line = (c: ProgressCounts, position = lastPosition) => {
    const now = Date.now();
    lastPosition = position;
    if (!since && c.read > 0) {
      since = { atMs: now, fraction: progressState(c, position, now, undefined).fraction ?? 0, rows: c.done + c.rejected + c.failed };
    }
    // A run shorter than one redraw: its rate counts from the start.
    const st = progressState(c, position, now, since && now - since.atMs >= 1000 ? since : { atMs: start, fraction: 0, rows: 0 });
    return progressLine(label, c, limit ? { ...st, limit: limit() } : st);
  };
  return {
    update(c, position) {
      if (quiet) return;
      if (tty) stream.write(`\r\x1b[2K${fit(line(c, position), stream.columns)}`);
      else if (Date.now() - lastPlain >= 10_000) {
        lastPlain = Date.now();
        stream.write(`${new Date().toISOString()} ${say('进度', 'progress')} ${line(c, position)}\n`);
      }
    },
    showLimit(get) {
      limit = get;
    },
    done(c, position) {
      if (tty) stream.write(`\r\x1b[2K${fit(line(c, position ?? lastPosition), stream.columns)}\n`);
    },
  };
}

/**
 * Cut to the terminal's width (Chinese characters take two columns): a line that wraps would no
 * longer be redrawn in place but repeated.
 */
export function fit(text: string, columns: number | undefined): string {
  if (!columns || columns < 20) return text;
  let width = 0;
  let out = '';
  for (const ch of text) {
    const w = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u2580-\u259f]/.test(ch) || ch.codePointAt(0)! > 0xffff ? 2 : 1;
    if (width + w > columns - 1) return `${out}…`;
    width += w;
    out += ch;
  }
  return out;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
