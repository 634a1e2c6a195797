/**
 * Connects a pipeline to its ERP: resolves the address and credentials from the environment
 * variables the pipeline names, or starts the built-in emulator when the pipeline allows it and
 * no address is set. The returned target description never carries secrets.
 */
import { ConfigError } from '../errors.js';
import { ErpClient } from '../erp/client.js';
import { resolveErpConfig } from '../erp/config.js';
import type { Logger } from '../report/logger.js';
import { ErpAdapter } from './erp-adapter.js';
import type { ImportErp } from './import-erp.js';
import type { PipelineConfig } from './schema.js';

export interface ErpConnection {
  client: ErpClient;
  erp: ImportErp;
  /** e.g. `http://erp.example.com:8088` or `built-in emulator (http://127.0.0.1:39211)`. */
  target: string;
  close(): Promise<void>;
}

export interface Tuning {
  concurrency: number;
  rateLimit: number;
  retries: number;
}

/** Default account of the built-in emulator. */
export const EMULATOR_USER = { user: 'admin', password: 'zbport' };

export async function connectErp(block: PipelineConfig['erp'], env: NodeJS.ProcessEnv, log: Logger, tuning: Tuning): Promise<ErpConnection> {
  const baseUrl = env[block.baseUrlEnv];
  let stopEmulator: (() => Promise<void>) | undefined;
  let resolvedEnv = env;
  let target: string;
  if (!baseUrl && block.fallback === 'emulator') {
    const { startEmulator } = await import('../emulator/index.js');
    const emu = await startEmulator({ port: 0, dataDir: block.emulatorData, users: [EMULATOR_USER], quiet: true });
    stopEmulator = () => emu.close();
    resolvedEnv = { ...env, [block.baseUrlEnv]: emu.url, [block.userEnv]: EMULATOR_USER.user, [block.passwordEnv]: EMULATOR_USER.password };
    target = `built-in emulator (${emu.url}, data in ${block.emulatorData})`;
    log.warn(`${block.baseUrlEnv} is not set: using the built-in emulator, nothing is written to a real ERP`);
  } else {
    target = baseUrl ?? '';
  }
  const resolved = resolveErpConfig(
    { baseUrlEnv: block.baseUrlEnv, userEnv: block.userEnv, passwordEnv: block.passwordEnv, serialnumEnv: block.serialnumEnv },
    resolvedEnv,
  );
  if (!resolved.ok) {
    await stopEmulator?.();
    throw new ConfigError('the ERP connection is not configured', resolved.problems);
  }
  const client = new ErpClient({
    ...resolved.config,
    loginPath: block.login,
    timeoutMs: block.timeoutMs,
    // Each row in flight makes one request at a time; lookups share the same cap.
    concurrency: tuning.concurrency,
    rateLimit: tuning.rateLimit || undefined,
    retries: tuning.retries,
  }, { logger: log });
  return {
    client,
    erp: new ErpAdapter(client),
    target,
    async close() {
      await client.logout().catch(() => undefined);
      await client.close?.();
      await stopEmulator?.();
    },
  };
}
