/**
 * `zbport template <pipeline> -o file.xlsx [--offline]`: writes a template admins hand to the
 * people who fill it in. Its company dropdown holds a real ERP's customers, never the built-in
 * emulator's made-up ones.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RETRIES } from '../erp/retry-policy.js';
import { CONNECTION_DEFAULTS } from '../erp/config.js';
import { connectErp } from '../run/connect.js';
import { checkConnection, checkLists } from '../installation/preflight.js';
import { resolveInstallation } from '../installation/resolve.js';
import { loadPipeline } from '../definition/load.js';
import { formatProblem } from '../definition/problems.js';
import { stderrLogger } from '../report/logger.js';
import { buildTemplate } from '../template/build-template.js';
import { say } from '../report/lang.js';
import { writableDir } from '../ensure-dir.js';
import { placeWithoutReplacing, tempPathFor } from '../state/atomic-file.js';

export interface TemplateOptions {
  pipeline: string;
  out?: string;
  offline: boolean;
  env?: NodeJS.ProcessEnv;
  quiet?: boolean;
  installation?: string;
  /** Replace a file of that name (else it is kept and the command stops). */
  force?: boolean;
}

export async function templateCommand(o: TemplateOptions): Promise<number> {
  const loaded = await loadPipeline(o.pipeline);
  if (!loaded.ok) {
    for (const p of loaded.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 2;
  }
  const { config } = loaded.pipeline;
  if (config.kind !== 'import') {
    process.stderr.write(`zbport: ${say(`${o.pipeline} 是导出流水线，模板只能由导入流水线生成`, `${o.pipeline} is an export pipeline; templates are made from import pipelines`)}\n`);
    return 2;
  }
  const out = path.resolve(o.out ?? `${config.name}-模板.xlsx`);
  // A template someone already has may be filled in: never replaced unasked (checked before the
  // ERP is asked for its customers, and again, atomically, when the file is put in place).
  if (!o.force && existsSync(out)) return exists(out);
  const log = stderrLogger(o.quiet);
  const env = o.env ?? process.env;
  let customers: string[] | undefined;
  let noCustomers: 'offline' | 'emulator' | undefined = o.offline ? 'offline' : undefined;
  let baseUrlEnv = CONNECTION_DEFAULTS.baseUrlEnv;
  if (!o.offline) {
    // The company dropdown comes from a real ERP only: the emulator's customers are made up, and a
    // template handed to sales people must not offer them.
    baseUrlEnv = (await resolveInstallation({ flag: o.installation, env, pipeline: config })).connection.baseUrlEnv;
    if (!env[baseUrlEnv] && config.erp.fallback === 'emulator') noCustomers = 'emulator';
  }
  if (noCustomers === 'emulator') {
    log.warn(`公司下拉列表只取自真实 ERP：未设置 ${baseUrlEnv}，目标是内置模拟器，其客户是虚构的演示数据，模板中不放下拉列表（说明页已注明）；设置 ERP 连接后重新生成即可 / `
      + `the company dropdown comes from a real ERP only: ${baseUrlEnv} is not set, so the target is the built-in emulator, whose customers are made up; the template has no company dropdown (its instructions say so); set the ERP connection and make the template again to include the customers`);
  } else if (!o.offline) {
    const conn = await connectErp({ pipeline: config, installation: o.installation, env, log, tuning: { concurrency: 4, rateLimit: 0, retries: DEFAULT_RETRIES } });
    try {
      await checkConnection(conn.client, log);
      const need = { anyOf: ['name'], why: '模板的客户下拉列表 / the template\'s company dropdown' };
      await checkLists(conn.client, conn.installation, { customer: [need] }, log);
      conn.erp.require('customer', [need]);
      customers = [];
      for await (const c of conn.erp.allCustomers()) if (c.name) customers.push(c.name);
    } finally {
      await conn.close();
    }
  }
  const tmp = tempPathFor(out);
  try {
    writableDir('--output', path.dirname(out));
    await buildTemplate({ config, pipelineFile: o.pipeline, customers, noCustomers }).xlsx.writeFile(tmp);
    if (o.force) renameSync(tmp, out);
    else if (!placeWithoutReplacing(tmp, out)) {
      rmSync(tmp, { force: true });
      return exists(out);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const list = customers
    ? [`客户下拉列表 ${customers.length} 个客户`, `${customers.length} customers in the company list`]
    : noCustomers === 'emulator' ? ['无客户下拉列表（目标是模拟器）', 'no company list (the target is the emulator)'] : ['无客户下拉列表（--offline）', 'no company list (--offline)'];
  process.stderr.write(`zbport: ${say(`模板已写入 ${out}，${list[0]}`, `template written to ${out}, ${list[1]}`)}\n`);
  return 0;
}

function exists(out: string): number {
  process.stderr.write(`zbport: ${say(`${out} 已存在，不会覆盖：用 --output 另选文件名，或加 --force 替换它`, `${out} exists and is not replaced: choose another name with --output, or add --force to replace it`)}\n`);
  return 2;
}
