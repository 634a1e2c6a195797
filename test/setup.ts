/**
 * Every test process can run pipelines with `erp.fallback: emulator` in-process, as the CLI can
 * (src/cli/main.ts provides the emulator the same way).
 */
import { provideEmulator } from '../src/run/connect.js';
import { startEmulator } from '../src/emulator/index.js';

provideEmulator((o) => startEmulator({ port: 0, dataDir: o.dataDir, users: o.users, quiet: true }));

// Messages follow the locale (src/report/lang.ts): the tests expect the default, both languages,
// whatever the machine's locale, in this process and in the commands it starts. Tests of the
// language choice pass their own LANG or --lang.
process.env.LANG = 'C.UTF-8';
delete process.env.LC_ALL;
delete process.env.LC_MESSAGES;
delete process.env.ZBPORT_LANG;
