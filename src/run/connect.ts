/**
 * Connects a command to its ERP: resolves the installation (profile, connection settings, list
 * columns), the address and credentials from the environment variables it names, or starts the
 * built-in emulator when the pipeline allows it and no address is set. Nothing is sent yet: the
 * preflight (src/installation/preflight.ts) logs in and checks the lists. The target description
 * never carries secrets.
 */
import { ConfigError } from '../errors.js';
import { ErpClient } from '../erp/client.js';
import { resolveErpConfig } from '../erp/config.js';
import { resolveInstallation, type Installation } from '../installation/resolve.js';
import type { Logger } from '../report/logger.js';
import { ErpAdapter } from './erp-adapter.js';
import type { PipelineConfig } from '../definition/schema.js';

export interface ErpConnection {
  client: ErpClient;
  erp: ErpAdapter;
  installation: Installation;
  /** e.g. `http://erp.example.com:8088` or `built-in emulator (http://127.0.0.1:39211)`. */
  target: string;
  close(): Promise<void>;
}

export interface Tuning {
  /** Requests in flight: a fixed number, or `auto` (found from the ERP's answers, up to `maxConcurrency`). */
  concurrency: number | 'auto';
  maxConcurrency?: number;
  initialConcurrency?: number;
  rateLimit: number;
  retries: number;
}

export interface ConnectOptions {
  /** The pipeline's settings (erp block, installation, lists), when a pipeline is run. */
  pipeline?: Pick<PipelineConfig, 'erp' | 'installation' | 'lists'>;
  /** `--installation FILE`. */
  installation?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  tuning: Tuning;
}

/** Default account of the built-in emulator. */
export const EMULATOR_USER = { user: 'admin', password: 'zbport' };

/** Starts the built-in emulator for `erp.fallback: emulator`. */
export type EmulatorLauncher = (o: { dataDir: string; users: Array<{ user: string; password: string }> }) => Promise<{ url: string; close(): Promise<void> }>;

let launcher: EmulatorLauncher | undefined;

/**
 * The emulator is a rehearsal tool, not part of the connection: the CLI wiring provides it (and
 * tests do), so production code never imports it (checked by test/architecture.test.ts).
 */
export function provideEmulator(l: EmulatorLauncher): void {
  launcher = l;
}

export async function connectErp(o: ConnectOptions): Promise<ErpConnection> {
  const { env, log, tuning } = o;
  const installation = await resolveInstallation({ flag: o.installation, env, pipeline: o.pipeline });
  const c = installation.connection;
  const baseUrl = env[c.baseUrlEnv];
  let stopEmulator: (() => Promise<void>) | undefined;
  let resolvedEnv = env;
  let emulatorTarget: string | undefined;
  if (!baseUrl && o.pipeline?.erp.fallback === 'emulator') {
    const dataDir = o.pipeline.erp.emulatorData;
    if (!launcher) throw new ConfigError(`${c.baseUrlEnv} 未设置，且此环境没有内置模拟器 / ${c.baseUrlEnv} is not set and the built-in emulator is not available here`);
    const emu = await launcher({ dataDir, users: [EMULATOR_USER] });
    stopEmulator = () => emu.close();
    resolvedEnv = { ...env, [c.baseUrlEnv]: emu.url, [c.userEnv]: EMULATOR_USER.user, [c.passwordEnv]: EMULATOR_USER.password };
    emulatorTarget = `built-in emulator (${emu.url}, data in ${dataDir})`;
    log.warn(`${c.baseUrlEnv} 未设置：使用内置模拟器，不会写入真实 ERP / ${c.baseUrlEnv} is not set: using the built-in emulator, nothing is written to a real ERP`);
  }
  const resolved = resolveErpConfig(
    { baseUrlEnv: c.baseUrlEnv, userEnv: c.userEnv, passwordEnv: c.passwordEnv, serialnumEnv: c.serialnumEnv },
    resolvedEnv,
  );
  if (!resolved.ok) {
    await stopEmulator?.();
    throw new ConfigError('ERP 连接未配置 / the ERP connection is not configured', resolved.problems);
  }
  const client = new ErpClient({
    ...resolved.config,
    loginPath: c.login,
    timeoutMs: c.timeoutMs,
    maxPageSize: c.maxPageSize,
    zsml: c.contentType === 'zsml',
    layouts: installation.layouts,
    // Each row in flight makes one request at a time; lookups share the same cap.
    concurrency: tuning.concurrency,
    maxConcurrency: tuning.maxConcurrency,
    initialConcurrency: tuning.initialConcurrency,
    rateLimit: tuning.rateLimit || undefined,
    retries: tuning.retries,
    publicCredentials: emulatorTarget !== undefined,
  }, { logger: log });
  return {
    client,
    erp: new ErpAdapter(client),
    installation,
    // The origin, never the URL as written: it may carry credentials (http://user:pass@host).
    target: emulatorTarget ?? client.origin,
    async close() {
      await client.logout().catch(() => undefined);
      await client.close?.();
      await stopEmulator?.();
    },
  };
}
