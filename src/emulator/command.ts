/**
 * `zbport emulator`: runs the emulator standalone until Ctrl-C, for rehearsals and demos.
 */
import { DEFAULT_USERS, startEmulator } from './index.js';
import { DIALECT_NAMES, DIALECTS } from './dialects.js';
import { EMULATOR_CAPTCHA } from './handlers.js';

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  data: string;
  seedCustomers?: number;
  seedContacts?: number;
  latency?: number;
  jitter?: number;
  failRate?: number;
  dropRate?: number;
  sessionTtl?: number;
  maxInFlight?: number;
  rowsAsObjects?: boolean;
  thousands?: boolean;
  dialect?: string;
}

export async function runEmulatorCommand(o: EmulatorCommandOptions): Promise<number> {
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
  if (o.dialect && !DIALECTS[o.dialect]) {
    process.stderr.write(`zbport emulator: 未知的方言 / unknown dialect \`${o.dialect}\` (known: ${DIALECT_NAMES.join(', ')})\n`);
    return 2;
  }
  const emu = await startEmulator({
    dialect: o.dialect,
    port: o.port,
    host: o.host,
    dataDir: o.data,
    seed: defined({ customers: o.seedCustomers, contacts: o.seedContacts }),
    faults: defined({
      latencyMs: o.latency, jitterMs: o.jitter, failRate: o.failRate, dropSaveRate: o.dropRate, sessionTtlSeconds: o.sessionTtl,
      maxInFlight: o.maxInFlight, rowsAsObjects: o.rowsAsObjects, thousands: o.thousands,
    }),
    quiet: true,
  });
  const u = DEFAULT_USERS[0];
  process.stderr.write(
    `zbport emulator: ${emu.url}\n` +
      `  data: ${o.data} (${emu.store.customers().length} customers, ${emu.store.contacts().length} contacts)\n` +
      `  dialect: ${emu.dialect.name}: ${emu.dialect.description}\n` +
      `  login: ZB_BASE_URL=${emu.url} ZB_USER=${u.user} ZB_PASSWORD=${u.password} (captcha after 3 failures: ${EMULATOR_CAPTCHA})\n` +
      '  Ctrl-C stops it; saved records stay in the data folder.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emu.close();
  return 0;
}
