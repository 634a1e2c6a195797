// The newest modification time among the TypeScript sources: dist/ is used only when it was
// built from sources at least this new, so an edited source never runs as stale compiled code.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function newestSource(root) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|js|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  return newest;
}
