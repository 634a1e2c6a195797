/**
 * The `zbport` command starts from compiled code when dist/ is current and from the TypeScript
 * sources otherwise; both must behave the same.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { tempDir } from './helpers/files.js';

function zbport(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('bin/zbport.js'), ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the zbport command', () => {
  for (const [how, env] of [['as built by npm ci', {}], ['from the sources', { ZBPORT_FROM_SOURCE: '1' }]] as const) {
    it(`lints the pipelines and writes the JSON schema, ${how}`, async () => {
      const lint = await zbport(['lint'], env);
      expect(lint.code, lint.stderr).toBe(0);
      expect(lint.stdout + lint.stderr).toMatch(/contacts-import\.yaml/);
      const out = path.join(tempDir(), 'schema.json');
      const schema = await zbport(['schema', '-o', out], env);
      expect(schema.code, schema.stderr).toBe(0);
    });
  }
});
