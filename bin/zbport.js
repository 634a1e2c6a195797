#!/usr/bin/env node
// Runs the compiled CLI from dist/ when it is up to date with the sources (`npm ci` builds it),
// and the TypeScript sources through tsx's loader otherwise, so a fresh clone or an edited source
// never needs a manual build step.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from './sources-stamp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function compiledIsCurrent() {
  if (process.env.ZBPORT_FROM_SOURCE) return false;
  const stampFile = path.join(root, 'dist', 'built-from.json');
  if (!existsSync(stampFile) || !existsSync(path.join(root, 'dist', 'zbport.mjs'))) return false;
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).newestSourceMs >= newestSource(root);
  } catch {
    return false;
  }
}

if (compiledIsCurrent()) {
  await import('../dist/zbport.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
