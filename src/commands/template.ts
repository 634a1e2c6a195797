/**
 * `zbport template <pipeline> -o file.xlsx [--offline]`: writes a template admins hand to the
 * people who fill it in.
 */
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { connectErp } from '../run/connect.js';
import { checkConnection, checkLists } from '../installation/preflight.js';
import { loadPipeline } from '../definition/load.js';
import { formatProblem } from '../definition/problems.js';
import { stderrLogger } from '../report/logger.js';
import { buildTemplate } from '../template/build-template.js';

export interface TemplateOptions {
  pipeline: string;
  out?: string;
  offline: boolean;
  env?: NodeJS.ProcessEnv;
  quiet?: boolean;
  installation?: string;
}

export async function templateCommand(o: TemplateOptions): Promise<number> {
  const loaded = await loadPipeline(o.pipeline);
  if (!loaded.ok) {
    for (const p of loaded.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 2;
  }
  const { config } = loaded.pipeline;
  if (config.kind !== 'import') {
    process.stderr.write(`zbport: ${o.pipeline} is an export pipeline; templates are made from import pipelines\n`);
    return 2;
  }
  const log = stderrLogger(o.quiet);
  let customers: string[] | undefined;
  if (!o.offline) {
    const conn = await connectErp({ pipeline: config, installation: o.installation, env: o.env ?? process.env, log, tuning: { concurrency: 4, rateLimit: 0, retries: 3 } });
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
  const out = path.resolve(o.out ?? `${config.name}-模板.xlsx`);
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    await buildTemplate({ config, pipelineFile: o.pipeline, customers }).xlsx.writeFile(tmp);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (!o.quiet) process.stderr.write(`zbport: template written to ${out}${customers ? ` (${customers.length} customers in the company list)` : ' (offline: no company list)'}\n`);
  return 0;
}
