/**
 * Every test process can run pipelines with `erp.fallback: emulator` in-process, as the CLI can
 * (src/cli/main.ts provides the emulator the same way).
 */
import { provideEmulator } from '../src/run/connect.js';
import { startEmulator } from '../src/emulator/index.js';

provideEmulator((o) => startEmulator({ port: 0, dataDir: o.dataDir, users: o.users, quiet: true }));
