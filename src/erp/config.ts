/**
 * ERP connection settings: read from environment variables (ZB_BASE_URL, ZB_USER, ZB_PASSWORD,
 * ZB_SERIALNUM, or the names a pipeline's `erp:` block gives), every missing one reported with
 * where it was looked for. The password never serialises, and the base URL is only ever shown
 * without the credentials it may carry (`http://user:pass@host`).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { withoutCredentials } from './scrub.js';

export interface ErpSettings {
  baseUrl: string;
  user: string;
  password: string;
  serialnum: string;
}

export interface EnvNames {
  baseUrlEnv?: string;
  userEnv?: string;
  passwordEnv?: string;
  serialnumEnv?: string;
}

/** Connection settings with their defaults: the one home of these defaults (profiles and pipelines override them). */
export const CONNECTION_DEFAULTS = {
  baseUrlEnv: 'ZB_BASE_URL',
  userEnv: 'ZB_USER',
  passwordEnv: 'ZB_PASSWORD',
  serialnumEnv: 'ZB_SERIALNUM',
  login: 'webapi' as 'webapi' | 'mobile',
  timeoutMs: 30_000,
  maxPageSize: 500,
  contentType: 'json' as 'json' | 'zsml',
};

export type ResolvedSettings = { ok: true; config: ErpSettings } | { ok: false; problems: string[] };

export function resolveErpConfig(names: EnvNames, env: NodeJS.ProcessEnv): ResolvedSettings {
  const { baseUrlEnv, userEnv, passwordEnv, serialnumEnv } = CONNECTION_DEFAULTS;
  const n = { baseUrlEnv, userEnv, passwordEnv, serialnumEnv, ...names };
  const problems: string[] = [];
  const get = (name: string, what: string, hint: [string, string]) => {
    const v = env[name]?.trim();
    if (!v) problems.push(`${what}: 环境变量 ${name} 未设置（${hint[0]}）/ environment variable ${name} is not set (${hint[1]})`);
    return v ?? '';
  };
  const baseUrl = get(n.baseUrlEnv, 'ERP 地址 / ERP address', ['例如 http://erp.example.com:8088；演练时可在流水线中设置 erp.fallback: emulator', 'e.g. http://erp.example.com:8088; for a rehearsal set erp.fallback: emulator in the pipeline']);
  const user = get(n.userEnv, 'ERP 用户 / ERP user', ['ERP 账号名', 'the ERP account name']);
  const password = get(n.passwordEnv, 'ERP 密码 / ERP password', ['ERP 账号的密码', 'the ERP account password']);
  if (baseUrl) {
    // Shown without credentials, and cut after them (a long value is not worth echoing).
    const shown = withoutCredentials(baseUrl).slice(0, 60);
    if (!/^https?:\/\/[^/]+/i.test(baseUrl)) problems.push(`ERP 地址 / ERP address: ${n.baseUrlEnv} 应以 http:// 或 https:// 开头（实际为 \`${shown}\`）/ ${n.baseUrlEnv} must start with http:// or https:// (got \`${shown}\`)`);
    else if (!URL.canParse(baseUrl)) problems.push(`ERP 地址 / ERP address: ${n.baseUrlEnv} 不是有效的网址（实际为 \`${shown}\`；用户名或密码中的 @ / : 等字符须写成 %40 %2F %3A）/ ${n.baseUrlEnv} is not a valid URL (got \`${shown}\`; characters such as @ / : in a user name or password must be written %40 %2F %3A)`);
  }
  let serialnum = env[n.serialnumEnv]?.trim() ?? '';
  if (serialnum && !/^[A-Za-z0-9]{1,20}$/.test(serialnum)) problems.push(`ERP 设备序列号 / ERP serial: ${n.serialnumEnv} 应为 1 到 20 个字母或数字 / ${n.serialnumEnv} must be 1 to 20 letters or digits`);
  if (!serialnum) serialnum = defaultSerial(user);
  if (problems.length) return { ok: false, problems };
  return { ok: true, config: redactable({ baseUrl: baseUrl.replace(/\/+$/, ''), user, password, serialnum }) };
}

/**
 * One stable serial per machine and user: the ERP kicks a session when the same account logs in
 * from another "device", so a serial that changed between runs would log out a colleague's tool.
 */
export function defaultSerial(user: string): string {
  return `zbp${createHash('sha1').update(`${hostname()}\u0000${user}`).digest('hex').slice(0, 17)}`;
}

/** Settings whose JSON and inspection hide the password and the base URL's credentials. */
export function redactable(s: ErpSettings): ErpSettings {
  const shown = () => ({ ...s, baseUrl: withoutCredentials(s.baseUrl), password: '***' });
  Object.defineProperty(s, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(s, Symbol.for('nodejs.util.inspect.custom'), { value: shown, enumerable: false });
  return s;
}
