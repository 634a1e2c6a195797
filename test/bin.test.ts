/**
 * The `zbport` command starts from compiled code when dist/ is current and from the TypeScript
 * sources otherwise; both must behave the same.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
      const version = await zbport(['--version'], env);
      expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    });
  }

  it('names each flag one way across commands (--output), and still takes the old --out', async () => {
    const dir = tempDir();
    for (const flag of ['--output', '--out']) {
      const schema = await zbport(['schema', flag, path.join(dir, `s${flag}.json`)], {});
      expect(schema.code, schema.stderr).toBe(0);
      expect(JSON.parse(readFileSync(path.join(dir, `s${flag}.json`), 'utf8')).title).toMatch(/zbport/);
      const template = await zbport(['template', 'pipelines/contacts-import.yaml', '--offline', flag, path.join(dir, `t${flag}.xlsx`)], {});
      expect(template.code, template.stderr).toBe(0);
      expect(existsSync(path.join(dir, `t${flag}.xlsx`))).toBe(true);
    }
    const help = await zbport(['template', '--help'], {});
    expect(help.stdout).toContain('--output');
    expect(help.stdout).not.toMatch(/--out\b/);
  });

  it('installs as a `zbport` command on PATH (npm install -g of the folder, offline) that runs from any folder', async () => {
    const prefix = tempDir('zbport-global-');
    const npm = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, path.resolve('.')], { timeout: 120_000 }, (err, _o, stderr) => resolve({ code: err ? 1 : 0, stderr }));
    });
    expect(npm.code, npm.stderr).toBe(0);
    const bin = path.join(prefix, 'bin', 'zbport');
    expect(existsSync(bin)).toBe(true);
    // As cron runs it: another folder, a bare environment.
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, ['--version'], { cwd: tempDir(), env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: prefix } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  }, 180_000);
});
