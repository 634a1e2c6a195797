/**
 * `zbport emulator`: runs the emulator standalone until Ctrl-C, for rehearsals and demos.
 */
import { lang, localize, say } from '../report/lang.js';
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
  overflow?: 'queue' | 'fail';
  rowsAsObjects?: boolean;
  thousands?: boolean;
  dialect?: string;
}

export async function runEmulatorCommand(o: EmulatorCommandOptions): Promise<number> {
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
  if (o.dialect && !DIALECTS[o.dialect]) {
    process.stderr.write(`zbport emulator: ${localize(`未知的方言 \`${o.dialect}\`（可选：${DIALECT_NAMES.join(', ')}）/ unknown dialect \`${o.dialect}\` (known: ${DIALECT_NAMES.join(', ')})`)}\n`);
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
      maxInFlight: o.maxInFlight, overflow: o.overflow, rowsAsObjects: o.rowsAsObjects, thousands: o.thousands,
    }),
    quiet: true,
  });
  const u = DEFAULT_USERS[0];
  const customers = emu.store.customers().length;
  const contacts = emu.store.contacts().length;
  const label = (zh: string, en: string) => (lang() === 'zh' ? `${zh}：` : `${say(zh, en)}: `);
  process.stderr.write(
    `zbport emulator: ${emu.url}\n` +
      `  ${label('数据', 'data')}${o.data} (${say(`${customers} 个客户，${contacts} 个联系人`, `${customers} customers, ${contacts} contacts`)})\n` +
      `  ${label('方言', 'dialect')}${emu.dialect.name} — ${localize(emu.dialect.description)}\n` +
      `  ${label('登录', 'login')}ZB_BASE_URL=${emu.url} ZB_USER=${u.user} ZB_PASSWORD=${u.password} (${say(`连续失败 3 次后要求验证码 ${EMULATOR_CAPTCHA}`, `captcha after 3 failures: ${EMULATOR_CAPTCHA}`)})\n` +
      `  ${say('按 Ctrl-C 停止，保存的记录留在数据文件夹中', 'Ctrl-C stops it; saved records stay in the data folder.')}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emu.close();
  return 0;
}
