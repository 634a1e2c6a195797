/**
 * Progress on a terminal: one line redrawn with rows, rows/s and ETA (from bytes read when the
 * reader can tell). Not a terminal (cron, CI, a pipe): a plain line every 10 seconds instead.
 */
export interface Progress {
  update(rows: number, bytes?: { done: number; total: number }): void;
  done(rows: number): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const start = Date.now();
  let lastPlain = start;
  const tty = stream.isTTY && !quiet;
  const line = (rows: number, bytes?: { done: number; total: number }) => {
    const secs = (Date.now() - start) / 1000;
    const rate = secs > 0 ? rows / secs : 0;
    let eta = '';
    let bar = '';
    if (bytes && bytes.total > 0) {
      const frac = Math.min(1, bytes.done / bytes.total);
      const width = 24;
      const filled = Math.round(frac * width);
      bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% `;
      if (frac > 0.01) eta = ` ETA ${clock((secs / frac) * (1 - frac))}`;
    }
    return `${label} ${bar}${rows.toLocaleString('en-US')} rows ${Math.round(rate).toLocaleString('en-US')} rows/s${eta}`;
  };
  return {
    update(rows, bytes) {
      if (quiet) return;
      if (tty) stream.write(`\r\x1b[2K${line(rows, bytes)}`);
      else if (Date.now() - lastPlain >= 10_000) {
        lastPlain = Date.now();
        stream.write(`${new Date().toISOString()} progress ${line(rows, bytes)}\n`);
      }
    },
    done(rows) {
      if (tty) stream.write(`\r\x1b[2K${line(rows)}\n`);
    },
  };
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
