// Compiles the CLI and the CSV parsing thread to plain JavaScript in dist/ (run by `npm ci` as
// `prepare`). Running compiled code spares every run the TypeScript loader: a second of start-up
// and, in each thread, its own loader thread and memory. bin/zbport.js uses dist/ only while it
// is newer than every source file, and the sources through tsx otherwise.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from '../bin/sources-stamp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = newestSource(root);
mkdirSync(dist, { recursive: true });
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning', sourcemap: 'linked' };
await build({ ...common, entryPoints: [path.join(root, 'src/cli/main.ts')], outfile: path.join(dist, 'zbport.mjs') });
// The main bundle starts the parsing thread from './parse-thread-entry.mjs' beside itself.
await build({ ...common, entryPoints: [path.join(root, 'src/sources/csv/parse-thread.ts')], outfile: path.join(dist, 'parse-thread-entry.mjs') });
// …and the legacy-workbook reading thread from './legacy-thread-entry.mjs'.
await build({ ...common, entryPoints: [path.join(root, 'src/sources/legacy/legacy-thread.ts')], outfile: path.join(dist, 'legacy-thread-entry.mjs') });
writeFileSync(path.join(dist, 'built-from.json'), `${JSON.stringify({ newestSourceMs: stamp })}\n`);
process.stdout.write(`zbport: compiled to ${path.relative(process.cwd(), dist) || 'dist'}/\n`);
