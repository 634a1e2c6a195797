/** Captures what the code under test writes to stdout and stderr (progress, logs, summaries). */
export function captureOutput(): { readonly stderr: string; readonly stdout: string; restore(): void } {
  const err: string[] = [];
  const out: string[] = [];
  const origErr = process.stderr.write.bind(process.stderr);
  const origOut = process.stdout.write.bind(process.stdout);
  const grab = (into: string[]) => ((chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stderr.write;
  process.stderr.write = grab(err);
  process.stdout.write = grab(out);
  return {
    get stderr() {
      return err.join('');
    },
    get stdout() {
      return out.join('');
    },
    restore() {
      process.stderr.write = origErr;
      process.stdout.write = origOut;
    },
  };
}
