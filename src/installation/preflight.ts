/**
 * What every command that talks to the ERP checks before it reads a row or writes anything:
 *
 * 1. the connection: the ERP answers, as a ZB ERP, and takes the account. Problems are named
 *    with the address (credentials removed) and the cause: exit 3 for an outage (try later),
 *    exit 2 for what a person must fix (address, account, captcha);
 * 2. the lists: every column the command relies on is mapped and is a column the ERP really
 *    returns. Columns that are only zbport's guess (no profile names them) are checked against
 *    the server's evidence; when the evidence is unambiguous the run calibrates itself and says
 *    so, otherwise it stops with the columns the ERP returned.
 */
import { LIST_TITLES, type ListName } from '../catalog/index.js';
import type { ErpClient } from '../erp/client.js';
import { ConnectionError } from '../errors.js';
import type { Logger } from '../report/logger.js';
import { discoverList } from './discover.js';
import { firmKeys } from './infer-columns.js';
import { ColumnMapError, ListLayout, keyLabel, type ColumnNeed, type ListNeeds } from './list-layout.js';

export type { ListNeeds };
import type { Installation } from './resolve.js';


export interface PreflightResult {
  /** Lists whose columns were calibrated from the server's evidence in this run. */
  calibrated: ListName[];
  /** Lists that could not be checked (empty), for the summary. */
  unchecked: ListName[];
}

/** Logs in, naming any connection problem; tries the other login endpoint once on a 404. */
export async function checkConnection(client: ErpClient, log: Logger): Promise<void> {
  try {
    await client.checkLogin();
    return;
  } catch (err) {
    const e = err as { kind?: string; httpStatus?: number };
    if (e.kind === 'protocol' && e.httpStatus === 404) {
      const other = client.loginPath === 'webapi' ? 'mobile' : 'webapi';
      const before = client.loginPath;
      client.loginPath = other;
      try {
        await client.checkLogin(1);
        log.warn(`登录接口 ${before} 返回 404，改用 ${other} 登录成功；请在安装配置中写 connection.login: ${other} / the ${before} login answered 404, the ${other} login works: set connection.login: ${other}`);
        return;
      } catch {
        client.loginPath = before;
      }
    }
    throw connectionError(err, client.origin);
  }
}

/** A failure met while connecting, as a message a person can act on. */
export function connectionError(err: unknown, origin: string): Error {
  const e = err as { kind?: string; message?: string; cause_?: string; httpStatus?: number; captchaUrl?: string };
  const at = `ERP ${origin}`;
  switch (e?.kind) {
    case 'auth':
      return new ConnectionError(`${at} 拒绝登录 / refused the login: ${e.message}`, 2, e.captchaUrl ? ['ERP 要求输入验证码：请先在浏览器中用该账号登录一次，再重新运行 / the ERP asks for a captcha: log in once in a browser with this account, then run again'] : ['请检查用户名和密码的环境变量 / check the user and password environment variables']);
    case 'protocol':
      if (e.httpStatus && e.httpStatus >= 400) {
        return new ConnectionError(`${at} 有应答，但不是 ZB ERP 的接口（HTTP ${e.httpStatus}）/ answers, but not as a ZB ERP API (HTTP ${e.httpStatus})`, 2, [
          '基础地址应是 ERP 的根地址，例如 http://erp.example.com:8088（不要带 /sysa 或页面路径）/ the base URL must be the ERP\'s root, e.g. http://erp.example.com:8088, without /sysa or a page path',
          '较旧的版本可能需要 connection.login: mobile / older versions may need connection.login: mobile',
        ]);
      }
      return new ConnectionError(`${at} 的应答无法理解 / answered in a way zbport does not understand: ${e.message}`, 2);
    case 'transient': {
      const c = e.cause_ ?? '';
      if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') return new ConnectionError(`找不到 ${at} 的主机（${c}）/ cannot resolve the host of ${at} (${c})`, 2, ['请检查基础地址（ZB_BASE_URL）中的主机名 / check the host name in the base URL (ZB_BASE_URL)']);
      if (c === 'HTML' && e.httpStatus === 200) {
        return new ConnectionError(`${at} 返回的是网页，不是 ERP 的 JSON 接口 / answers with a web page, not the ERP's JSON API`, 2, ['地址可能指向门户、代理登录页或其他网站 / the address may point at a portal, a proxy login page or another site']);
      }
      if (c === 'PLAIN') return new ConnectionError(`${at} 的服务端未正常启动 / the server side of ${at} is not running: ${e.message}`, 3, ['稍后再试，或请 ERP 管理员检查服务 / try again later, or ask the ERP\'s administrator']);
      const what = c === 'TIMEOUT' ? ['无应答（超时）', 'no answer in time']
        : c === 'ECONNREFUSED' ? ['连接被拒绝，ERP 服务没有运行或端口不对', 'connection refused: the ERP is not running or the port is wrong']
        : c.startsWith('HTTP') ? [`服务器错误 ${c}`, `server error ${c}`]
        : [`网络错误（${c || e.message}）`, `network error (${c || e.message})`];
      return new ConnectionError(`无法连接 ${at}：${what[0]} / cannot reach ${at}: ${what[1]}`, 3, ['ERP 恢复后，原样重新运行同一命令即可 / run the same command again when the ERP is back']);
    }
    case 'session':
      return new ConnectionError(`${at} 不断拒绝会话 / keeps refusing sessions: ${e.message}`, 3);
    default:
      return err as Error;
  }
}

/**
 * Checks, and where they are only guessed verifies by evidence, the columns a command relies on.
 * Calibrated layouts replace the guessed ones in `installation.layouts` and in the client.
 *
 * The lists are read at the same time (each check waits a round trip, none needs another's
 * answer), then reported in the order of `needs`, as one after another would: the same warnings in
 * the same order, the first failing list's error, and no list's outcome after it.
 */
export async function checkLists(client: ErpClient, installation: Installation, needs: ListNeeds, log: Logger, o: CheckOptions = {}): Promise<PreflightResult> {
  const result: PreflightResult = { calibrated: [], unchecked: [] };
  const lists = (Object.entries(needs) as Array<[ListName, ColumnNeed[]]>).filter(([, listNeeds]) => listNeeds?.length);
  const checked = await Promise.allSettled(lists.map(([list, listNeeds]) => checkList(client, installation, list, listNeeds, o.wholeFirstPage?.includes(list) ?? false)));
  for (const [i, outcome] of checked.entries()) {
    if (outcome.status === 'rejected') throw outcome.reason;
    const list = lists[i][0];
    const c = outcome.value;
    if (c.kind === 'empty') {
      result.unchecked.push(list);
      log.warn(`${LIST_TITLES[list]} 为空，写入前无法核对列；第一批记录会在保存后按列核对 / the list is empty: its columns cannot be checked before the first records are saved`);
      continue;
    }
    if (c.kind === 'checked') continue;
    const verified = c.verified;
    if (verified.changed) {
      result.calibrated.push(list);
      log.warn(`${LIST_TITLES[list]}：没有安装配置，已根据服务器的数据自动校准列 / no installation profile: columns calibrated from the server's data: ${verified.changed.join(', ')}；运行 \`zbport doctor\` 可写成安装配置 / run \`zbport doctor\` to write them into a profile`);
    }
    installation.layouts[list] = verified.layout;
    client.layouts[list] = verified.layout;
    for (const w of verified.unverified) log.warn(w);
  }
  return result;
}

export interface CheckOptions {
  /**
   * Lists the run loads from their first page when it holds the whole list (a resolver's
   * customers): their check reads that page, of the largest size, and leaves it to the load
   * (ErpClient.rawList's `keep`), one request and one round trip fewer before the first save.
   */
  wholeFirstPage?: ListName[];
}

type Verified = Awaited<ReturnType<typeof verifyGuess>>;

/** One list's check, which logs and changes nothing: checkLists reports and applies it. */
async function checkList(client: ErpClient, installation: Installation, list: ListName, listNeeds: ColumnNeed[], whole: boolean): Promise<{ kind: 'empty' } | { kind: 'checked' } | { kind: 'guessed'; verified: Verified }> {
  const layout = installation.layouts[list];
  // Not a row's request: outside a fixed cap on rows in flight, so the lists' reads overlap even at one row.
  const page = await client.rawList(list, { pagesize: whole ? client.maxPageSize : 5, pageindex: 1 }, true, whole);
  if (!page.cols.length) return { kind: 'empty' };
  if (!installation.guessed.includes(list)) {
    const problems = layout.check(page.cols, listNeeds);
    if (problems.length) throw new ColumnMapError(problems, page, installation.file);
    return { kind: 'checked' };
  }
  return { kind: 'guessed', verified: await verifyGuess(client, list, layout, listNeeds, page, installation.file) };
}

async function verifyGuess(
  client: ErpClient,
  list: ListName,
  guess: ListLayout,
  needs: ColumnNeed[],
  page: { cols: Array<{ id: string; dbtype: string }>; rows: string[][] },
  profile: string | undefined,
): Promise<{ layout: ListLayout; changed?: string[]; unverified: string[] }> {
  const found = await discoverList(client, list);
  const firm = firmKeys(found.columns);
  const firmById = new Map(Object.entries(firm).map(([k, id]) => [id, k]));
  const returned = new Set(page.cols.map((c) => c.id));
  // The guess, minus what the evidence contradicts or the server does not return, plus the evidence.
  const merged: Record<string, string | null> = {};
  for (const [key, id] of Object.entries(guess.toColumns())) {
    if (!returned.has(id)) continue;
    if (firm[key] !== undefined && firm[key] !== id) continue;
    if (firmById.has(id) && firmById.get(id) !== key) continue;
    merged[key] = id;
  }
  Object.assign(merged, firm);
  const layout = new ListLayout(list, merged, `${guess.origin}，已按服务器数据核对 / checked against the server`);
  const problems = layout.check(page.cols, needs);
  if (problems.length) throw new ColumnMapError(problems, { cols: found.cols, rows: found.rows }, profile);
  const changed = Object.entries(merged)
    .filter(([key, id]) => guess.idOf(key) !== id)
    .map(([key, id]) => `${id} → ${keyLabel(list, key)}`);
  const lost = guess.keys().filter((k) => !merged[k] && needs.some((n) => n.anyOf.includes(k)));
  const unverified = needs
    .map((n) => layout.usable(page.cols, n.anyOf))
    .filter((k): k is string => !!k && firm[k] === undefined)
    .map((k) => `${LIST_TITLES[list]}：${keyLabel(list, k)} 一列（${layout.idOf(k)}）没有数据可以核对，按默认猜测使用 / no data to check column ${layout.idOf(k)} for ${k}: used as guessed`);
  return { layout, changed: changed.length || lost.length ? changed : undefined, unverified };
}
