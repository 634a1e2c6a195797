/** Captures what the code under test writes to stderr (progress, logs, summaries). */
export function captureStderr(): { readonly text: string; restore(): void } {
  const chunks: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stderr.write;
  return {
    get text() {
      return chunks.join('');
    },
    restore() {
      process.stderr.write = original;
    },
  };
}
