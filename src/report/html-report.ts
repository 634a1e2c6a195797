/**
 * The run report: one self-contained `report.html` beside `summary.json` that an ERP admin can
 * open from the report folder and show to a manager: outcome counts, rejects by reason and by
 * column, throughput and ERP latency over time, links to the other report files.
 *
 * Self-contained on purpose: inline CSS and inline SVG drawn here, no script, no font or image
 * from anywhere, and a Content-Security-Policy that forbids fetching anything, so the page looks
 * the same on a machine with no network and cannot call out.
 *
 * Every text that comes from the input file or the ERP (file names, headers, cell values inside
 * messages, the ERP's own refusals) goes through the `html` template below, which escapes every
 * interpolated value unless it is markup built by this file. Messages (the stop's cause, a
 * reason's example) pass the scrubber once more: they may quote the ERP.
 */
import type { ImportSummary } from './summary.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RowProblemCode } from '../errors.js';
import { scrub } from '../erp/scrub.js';
import { OTHER_COLUMNS, type RunTimeline, type TimelinePoint, type TimelineSnapshot } from './run-timeline.js';

/** The summary the report shows (what summary.json holds). */
export type RunSummary = ImportSummary;

/** Relative hrefs from the report to the other report files. */
export interface ReportLinks {
  rejects?: string;
  results?: string;
  summary?: string;
}

type CountKey = 'read' | 'valid' | 'invalid' | 'lookupRejected' | 'erpRejected' | 'rejected' | 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed' | 'doneEarlier' | 'wouldCreate' | 'wouldUpdate' | 'wouldSkip';

const COUNT_LABELS: Record<CountKey, [zh: string, en: string]> = {
  read: ['已读取', 'Read'],
  valid: ['有效', 'Valid'],
  invalid: ['无效', 'Invalid'],
  lookupRejected: ['查找或匹配拒绝', 'Rejected by lookup or match'],
  erpRejected: ['ERP 拒绝', 'Refused by the ERP'],
  rejected: ['共拒绝', 'Rejected in all'],
  created: ['已创建', 'Created'],
  updated: ['已更新', 'Updated'],
  unchanged: ['无变化', 'Unchanged'],
  skipped: ['已跳过', 'Skipped'],
  failed: ['失败', 'Failed'],
  doneEarlier: ['此前已完成', 'Done earlier'],
  wouldCreate: ['将创建', 'Would create'],
  wouldUpdate: ['将更新', 'Would update'],
  wouldSkip: ['将跳过', 'Would skip'],
};

/**
 * What each problem code means, for people. Keyed by every code, so that a new code without
 * words here fails the type check instead of showing up bare.
 */
export const REASONS: Record<RowProblemCode, [zh: string, en: string]> = {
  REQUIRED: ['必填项为空', 'required value missing'],
  TOO_LONG: ['超出长度限制', 'too long'],
  NOT_INTEGER: ['不是整数', 'not a whole number'],
  NOT_NUMBER: ['不是数字', 'not a number'],
  BAD_DATE: ['日期无效', 'invalid date'],
  OUT_OF_RANGE: ['超出取值范围', 'out of range'],
  BAD_ENUM: ['不是可选值', 'not one of the options'],
  BAD_ENCODING: ['无法识别的字符编码', 'undecodable characters'],
  CELL_ERROR: ['单元格为错误值（如 #N/A）', 'error cell (e.g. #N/A)'],
  LOOKUP_MISS: ['找不到对应的客户或联系人', 'no matching customer or contact'],
  LOOKUP_AMBIGUOUS: ['匹配到多个客户或联系人', 'several customers or contacts match'],
  DUPLICATE_IN_FILE: ['与文件中前面的行重复', 'duplicate of an earlier row'],
  EXISTS: ['ERP 中已存在', 'already in the ERP'],
  NOT_FOUND: ['ERP 中不存在', 'not in the ERP'],
  ERP_REJECTED: ['ERP 拒绝保存', 'refused by the ERP'],
  ERP_UNVERIFIED: ['保存后无法核实', 'save could not be verified'],
  ERP_FAILED: ['ERP 多次出错', 'the ERP kept failing'],
  ROW_INVALID: ['行无效', 'invalid row'],
};

const COLORS = { ok: '#2f9e44', rejected: '#e8a317', failed: '#d9480f', median: '#1c7ed6', p95: '#ae3ec9', grid: '#e9ecef', axis: '#868e96' };

/** Writes `report.html` into the run's report folder and returns its path. */
export function writeRunReport(summary: RunSummary, timeline: RunTimeline): string {
  const dir = summary.reports.dir;
  const rel = (f?: string) => (f ? path.relative(dir, f).split(path.sep).map(encodeURIComponent).join('/') : undefined);
  const file = path.join(dir, 'report.html');
  const links = { rejects: rel(summary.reports.rejects), results: rel(summary.reports.results), summary: rel(summary.reports.summary) };
  writeFileSync(file, renderRunReport(summary, timeline.snapshot(), links));
  return file;
}

/** The report page as one HTML string. */
export function renderRunReport(s: RunSummary, t: TimelineSnapshot, links: ReportLinks): string {
  const title = `${s.pipeline} · 导入运行报告 Import run report`;
  return `<!DOCTYPE html>\n${html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="zbport">
<title>${title}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<main>
<header>
  <p class="kicker">zbport · 导入运行报告 Import run report</p>
  <h1>${s.pipeline}</h1>
  ${status(s)}
  ${meta(s, t)}
</header>
${counts(s)}
${rejects(s, t)}
${charts(t)}
${files(s, links)}
${s.unmappedColumns.length ? html`<section><h2>未导入的列 <span class="en">Columns not imported</span></h2>
  <p class="note">文件中这些列没有映射到任何字段，已忽略。<span class="en">These columns of the file are not mapped to any field and were ignored.</span></p>
  <ul class="chips" data-testid="unmapped-columns">${s.unmappedColumns.slice(0, 100).map((c) => html`<li>${cut(c, 80)}</li>`)}${s.unmappedColumns.length > 100 ? html`<li>… +${fmt(s.unmappedColumns.length - 100)}</li>` : ''}</ul>
</section>` : ''}
<footer>由 zbport 生成 · Generated by zbport · ${localTime(t.startedAt + t.elapsedMs)}</footer>
</main>
</body>
</html>
`}`;
}

function status(s: RunSummary): Html {
  const [cls, zh, en, detail] = s.fatal
    ? ['bad', '出错停止', 'Stopped by an error', s.fatal.message]
    : s.aborted
      ? ['bad', '已中止', 'Aborted', s.aborted]
      : s.rejected + s.failed > 0
        ? ['warn', '部分行未导入', 'Some rows were not imported', `${fmt(s.rejected)} 行被拒绝，${fmt(s.failed)} 行失败 · ${fmt(s.rejected)} rejected, ${fmt(s.failed)} failed`]
        : ['good', '全部完成', 'Every row done', ''];
  return html`<div class="status ${cls}" data-testid="status">
    <strong>${zh} <span class="en">${en}</span></strong>${detail ? html`<span class="detail">${cut(scrub(detail), 500)}</span>` : ''}
    ${s.dryRun ? html`<span class="badge">演练：未写入 ERP <span class="en">Dry run: nothing written</span></span>` : ''}
  </div>`;
}

function meta(s: RunSummary, t: TimelineSnapshot): Html {
  const rows: Array<[string, string, string | Html]> = [
    ['文件', 'File', s.sheet ? html`${s.file} <span class="muted">[${s.sheet}]</span>` : s.file],
    ['目标', 'Target', s.target],
    ['开始', 'Started', localTime(t.startedAt)],
    ['用时', 'Duration', duration(s.durationMs)],
    ['平均速度', 'Throughput', `${fmt(s.rowsPerSecond)} 行/秒 rows/s`],
  ];
  if (s.peakRssMB !== undefined) rows.push(['峰值内存', 'Peak memory', `${fmt(s.peakRssMB)} MB`]);
  if (s.lookups) rows.push(['客户查询', 'Customer lookups', `${fmt(s.lookups.companies)}（缓存命中 ${fmt(s.lookups.cacheHits)} cache hits）`]);
  return html`<dl class="meta">${rows.map(([zh, en, v]) => html`<div><dt>${zh} <span class="en">${en}</span></dt><dd>${v}</dd></div>`)}</dl>`;
}

/** A count of the summary; the split of rejections is derived for summaries written before it existed. */
function count(s: RunSummary, k: CountKey): number {
  if (k === 'invalid') return s.invalid ?? Math.max(0, s.read - s.valid);
  if (k === 'lookupRejected') return s.lookupRejected ?? Math.max(0, s.rejected - count(s, 'invalid') - (s.erpRejected ?? 0));
  if (k === 'erpRejected') return s.erpRejected ?? 0;
  return s[k];
}

/**
 * The counts as summary.json and the summary line give them, in their identities: read = valid +
 * invalid; each valid row ends in one outcome (a lookup or ERP rejection included); rejected in
 * all = invalid + lookup + ERP.
 */
function counts(s: RunSummary): Html {
  const input: CountKey[] = ['read', 'valid', 'invalid'];
  const output: CountKey[] = s.dryRun
    ? ['wouldCreate', 'wouldUpdate', 'unchanged', 'wouldSkip', 'lookupRejected', 'erpRejected', 'failed']
    : ['created', 'updated', 'unchanged', 'skipped', 'doneEarlier', 'lookupRejected', 'erpRejected', 'failed'];
  const card = (k: CountKey) => html`<div class="card ${k}${count(s, k) ? '' : ' zero'}"><div class="num" data-testid="count-${k}">${fmt(count(s, k))}</div><div class="label">${COUNT_LABELS[k][0]} <span class="en">${COUNT_LABELS[k][1]}</span></div></div>`;
  // Where the rows went, as one bar: each row ends in exactly one of these.
  const parts: Array<[CountKey, string]> = s.dryRun
    ? [['wouldCreate', COLORS.ok], ['wouldUpdate', '#37b24d'], ['unchanged', '#74b816'], ['wouldSkip', '#adb5bd'], ['invalid', COLORS.rejected], ['lookupRejected', '#f08c00'], ['erpRejected', '#e67700'], ['failed', COLORS.failed]]
    : [['created', COLORS.ok], ['updated', '#37b24d'], ['unchanged', '#74b816'], ['skipped', '#adb5bd'], ['doneEarlier', '#a9e34b'], ['invalid', COLORS.rejected], ['lookupRejected', '#f08c00'], ['erpRejected', '#e67700'], ['failed', COLORS.failed]];
  const total = parts.reduce((n, [k]) => n + count(s, k), 0);
  const shown = parts.filter(([k]) => count(s, k) > 0);
  const bar = total
    ? html`<div class="split" role="img" aria-label="结果比例 share of outcomes">${shown.map(([k, color]) => html`<span style="width:${pct(count(s, k) / total)};background:${color}" title="${COUNT_LABELS[k][0]} ${COUNT_LABELS[k][1]}: ${fmt(count(s, k))}"></span>`)}</div>
      <ul class="legend">${shown.map(([k, color]) => html`<li><i style="background:${color}"></i>${COUNT_LABELS[k][0]} <span class="en">${COUNT_LABELS[k][1]}</span> ${pct(count(s, k) / total)}</li>`)}</ul>`
    : '';
  return html`<section>
  <h2>结果 <span class="en">Outcomes</span></h2>
  <h3>读取与校验 <span class="en">Reading and validation</span></h3>
  <div class="cards">${input.map(card)}</div>
  <p class="note">读取 = 有效 + 无效；有效的行各有一个结果（含查找或匹配拒绝、ERP 拒绝）。<span class="en">Read = valid + invalid; each valid row has one outcome below (rejections by lookup or match and by the ERP included).</span></p>
  <h3>${s.dryRun ? html`演练结果 <span class="en">What a real run would do</span>` : html`写入 ERP <span class="en">Written to the ERP</span>`}</h3>
  <div class="cards">${output.map(card)}</div>
  ${bar}
  <p class="identity">${COUNT_LABELS.rejected[0]} <span class="en">${COUNT_LABELS.rejected[1]}</span> <strong data-testid="count-rejected">${fmt(s.rejected)}</strong> = 无效 <span class="en">invalid</span> ${fmt(count(s, 'invalid'))} + 查找或匹配 <span class="en">lookup or match</span> ${fmt(count(s, 'lookupRejected'))} + ERP ${fmt(count(s, 'erpRejected'))}</p>
</section>`;
}

function rejects(s: RunSummary, t: TimelineSnapshot): Html {
  const codes = Object.entries(s.problems).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!codes.length) {
    return html`<section><h2>被拒绝的行 <span class="en">Rejected rows</span></h2><p class="none" data-testid="no-rejects">没有被拒绝或失败的行。<span class="en">No row was rejected or failed.</span></p></section>`;
  }
  const maxCode = codes[0][1];
  const reasonRows = codes.map(([code, n]) => {
    const words = (REASONS as Record<string, [string, string] | undefined>)[code];
    const ex = t.byCode[code]?.example;
    return html`<tr data-testid="reason-row" data-code="${code}">
      <td><code>${code}</code></td>
      <td>${words ? html`${words[0]} <span class="en">${words[1]}</span>` : ''}${ex ? html`<div class="example">例 e.g. ${ex.row !== undefined ? `第 ${fmt(ex.row)} 行 row ${fmt(ex.row)}` : ''}${ex.column ? html` · ${cut(ex.column, 60)}` : ''}：<span data-testid="reason-example">${scrub(ex.message)}</span></div>` : ''}</td>
      <td class="n" data-testid="reason-count">${fmt(n)}</td>
      <td class="barcell">${meter(n / maxCode, code === 'ERP_FAILED' ? COLORS.failed : COLORS.rejected)}</td>
    </tr>`;
  });
  const cols = t.byColumn.slice(0, 50);
  const maxCol = cols[0]?.count ?? 1;
  const columnRows = cols.map((c) => html`<tr data-testid="column-row" data-column="${c.column === OTHER_COLUMNS ? '' : c.column}">
      <td>${c.column === '' ? html`<span class="muted">整行 <span class="en">whole row</span></span>` : c.column === OTHER_COLUMNS ? html`<span class="muted">其他列 <span class="en">other columns</span></span>` : cut(c.column, 80)}</td>
      <td>${Object.entries(c.codes).sort((a, b) => b[1] - a[1]).map(([code, n]) => html`<span class="chip"><code>${code}</code> ${fmt(n)}</span>`)}</td>
      <td class="n" data-testid="column-count">${fmt(c.count)}</td>
      <td class="barcell">${meter(c.count / maxCol, COLORS.rejected)}</td>
    </tr>`);
  return html`<section>
  <h2>被拒绝的行 <span class="en">Rejected rows</span></h2>
  <p class="note">一行可能有多个问题，因此问题数可能多于行数。<span class="en">A row can have several problems, so problems may outnumber rows.</span></p>
  <h3>按原因 <span class="en">By reason</span></h3>
  <table data-testid="reasons"><thead><tr><th>代码 <span class="en">Code</span></th><th>原因 <span class="en">Reason</span></th><th class="n">问题数 <span class="en">Problems</span></th><th></th></tr></thead>
  <tbody>${reasonRows}</tbody></table>
  ${cols.length ? html`<h3>按列 <span class="en">By column</span></h3>
  <table data-testid="columns"><thead><tr><th>列 <span class="en">Column</span></th><th>代码 <span class="en">Codes</span></th><th class="n">问题数 <span class="en">Problems</span></th><th></th></tr></thead>
  <tbody>${columnRows}</tbody></table>${t.byColumn.length > cols.length ? html`<p class="note">另有 ${fmt(t.byColumn.length - cols.length)} 列未列出 <span class="en">${fmt(t.byColumn.length - cols.length)} more columns not listed</span></p>` : ''}` : ''}
</section>`;
}

function charts(t: TimelineSnapshot): Html {
  const r = t.requests;
  const stats: Array<[string, string, string]> = [
    ['请求数', 'Requests', fmt(r.count)],
    ['失败请求', 'Failed requests', fmt(r.failed)],
    ['中位数', 'Median', ms(r.medianMs)],
    ['95 分位', 'p95', ms(r.p95Ms)],
    ['最长', 'Max', ms(r.maxMs)],
  ];
  return html`<section>
  <h2>随时间变化 <span class="en">Over time</span></h2>
  <h3>处理速度（行/秒） <span class="en">Throughput (rows/s)</span></h3>
  ${throughputChart(t)}
  <ul class="legend"><li><i style="background:${COLORS.ok}"></i>完成 <span class="en">done</span></li><li><i style="background:${COLORS.rejected}"></i>拒绝 <span class="en">rejected</span></li><li><i style="background:${COLORS.failed}"></i>失败 <span class="en">failed</span></li></ul>
  <h3>ERP 响应时间（毫秒） <span class="en">ERP latency (ms)</span></h3>
  <dl class="stats" data-testid="latency-stats">${stats.map(([zh, en, v]) => html`<div><dt>${zh} <span class="en">${en}</span></dt><dd>${v}</dd></div>`)}</dl>
  ${latencyChart(t)}
  <ul class="legend"><li><i style="background:${COLORS.median}"></i>中位数 <span class="en">median</span></li><li><i style="background:${COLORS.p95}"></i>95 分位 <span class="en">p95</span></li></ul>
  <p class="note">每个时间段 ${bucketZh(t.bucketMs)}；响应时间按对数分桶统计，误差约 ±5%。<span class="en">Each time bucket is ${bucketEn(t.bucketMs)}; latencies are binned on a log scale, within about ±5%.</span></p>
</section>`;
}

function files(s: RunSummary, l: ReportLinks): Html {
  const items: Array<[keyof ReportLinks, string, string, string]> = [
    ['rejects', '被拒绝的行', 'Rejected rows', '改正后可用同一流水线直接重新导入 · fix and re-import it as it is'],
    ['results', '逐行结果', 'Row-by-row results', "每行的结果与 ERP 编号 · each row's outcome and ERP ord"],
    ['summary', '汇总', 'Summary', '机器可读的计数 · counts, machine-readable'],
  ];
  return html`<section>
  <h2>文件 <span class="en">Files</span></h2>
  <ul class="files">${items.map(([k, zh, en, what]) => {
    const href = l[k];
    return html`<li>${href ? html`<a href="${href}" data-testid="link-${k}">${decodeURIComponent(href)}</a>` : html`<span class="muted" data-testid="link-${k}-none">${k === 'rejects' && s.rejected + s.failed === 0 ? '无（没有被拒绝的行）none: nothing rejected' : '未生成 not written'}</span>`}
      <span>${zh} <span class="en">${en}</span></span> <span class="muted">${what}</span></li>`;
  })}</ul>
</section>`;
}

// ---- charts: plain SVG, sized by viewBox so they scale with the page and print sharp ----

const W = 760;
const H = 220;
const M = { left: 56, right: 16, top: 12, bottom: 30 };

function throughputChart(t: TimelineSnapshot): Html {
  const pts = t.points.filter((p) => p.ok + p.rejected + p.failed > 0);
  const rate = (n: number, p: TimelinePoint) => n / (p.widthMs / 1000);
  const yMax = niceMax(Math.max(0, ...pts.map((p) => rate(p.ok + p.rejected + p.failed, p))));
  const span = Math.max(t.elapsedMs, ...t.points.map((p) => p.startMs + p.widthMs), 1);
  const x = (msAt: number) => M.left + (msAt / span) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  const bars = pts.map((p) => {
    const x0 = x(p.startMs);
    const w = Math.max(1, x(p.startMs + p.widthMs) - x0 - (t.points.length > 60 ? 0 : 1));
    let base = 0;
    const seg = (n: number, color: string) => {
      if (!n) return '';
      const v = rate(n, p);
      const r = html`<rect x="${f(x0)}" y="${f(y(base + v))}" width="${f(w)}" height="${f(y(base) - y(base + v))}" fill="${color}"/>`;
      base += v;
      return r;
    };
    const total = p.ok + p.rejected + p.failed;
    return html`<g><title>${clock(p.startMs)}–${clock(p.startMs + p.widthMs)} · ${fmt(Math.round(rate(total, p)))} 行/秒 rows/s (${fmt(p.ok)} ok, ${fmt(p.rejected)} rejected, ${fmt(p.failed)} failed)</title>${seg(p.ok, COLORS.ok)}${seg(p.rejected, COLORS.rejected)}${seg(p.failed, COLORS.failed)}</g>`;
  });
  return svg('chart-throughput', '处理速度随时间变化 Throughput over time', pts.length ? html`${axes(yMax, span, y, x, (v) => fmt(v))}${bars}` : noData());
}

function latencyChart(t: TimelineSnapshot): Html {
  const pts = t.points.filter((p) => p.requests > 0 && p.medianMs !== undefined);
  const yMax = niceMax(Math.max(0, ...pts.map((p) => p.p95Ms ?? 0)));
  const span = Math.max(t.elapsedMs, ...t.points.map((p) => p.startMs + p.widthMs), 1);
  const x = (msAt: number) => M.left + (msAt / span) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (Math.min(v, yMax) / yMax) * (H - M.top - M.bottom);
  const line = (key: 'medianMs' | 'p95Ms', color: string) => {
    const xy = pts.map((p) => `${f(x(p.startMs + p.widthMs / 2))},${f(y(p[key] ?? 0))}`);
    return html`<polyline data-series="${key}" points="${xy.join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>${pts.length <= 60 ? pts.map((p) => html`<circle cx="${f(x(p.startMs + p.widthMs / 2))}" cy="${f(y(p[key] ?? 0))}" r="2.5" fill="${color}"><title>${clock(p.startMs)}–${clock(p.startMs + p.widthMs)} · ${key === 'medianMs' ? '中位数 median' : '95 分位 p95'} ${ms(p[key])} · ${fmt(p.requests)} 请求 requests${p.failedRequests ? ` · ${fmt(p.failedRequests)} 失败 failed` : ''}</title></circle>`) : ''}`;
  };
  return svg('chart-latency', 'ERP 响应时间随时间变化 ERP latency over time', pts.length ? html`${axes(yMax, span, y, x, (v) => ms(v))}${line('p95Ms', COLORS.p95)}${line('medianMs', COLORS.median)}` : noData());
}

function svg(testid: string, label: string, body: Html): Html {
  return html`<svg class="chart" data-testid="${testid}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg"><title>${label}</title>${body}</svg>`;
}

function noData(): Html {
  return html`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="${COLORS.axis}" font-size="14">无数据 no data</text>`;
}

function axes(yMax: number, span: number, y: (v: number) => number, x: (ms: number) => number, label: (v: number) => string): Html {
  const yTicks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((k) => k * yMax);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((k) => k * span);
  const xLabel = span < 2_000 ? (v: number) => `${Math.round(v)} ms` : span < 10_000 ? (v: number) => `${(v / 1000).toFixed(1)} s` : span < 120_000 ? (v: number) => `${Math.round(v / 1000)} s` : clock;
  return html`<g class="axis" font-size="11" fill="${COLORS.axis}">
    ${yTicks.map((v) => html`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="${COLORS.grid}"/><text x="${M.left - 6}" y="${f(y(v) + 4)}" text-anchor="end">${label(v)}</text>`)}
    ${xTicks.map((v, i) => html`<text x="${f(x(v))}" y="${H - M.bottom + 18}" text-anchor="${i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}">${xLabel(v)}</text>`)}
    <line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="${COLORS.axis}"/>
  </g>`;
}

function meter(share: number, color: string): Html {
  return html`<span class="meter"><span style="width:${pct(Math.max(share, 0.01))};background:${color}"></span></span>`;
}

/** 1, 2, 2.5 or 5 times a power of ten, at or above v: its fifths are round numbers on the axis. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// ---- escaping: every interpolated value is text unless it is markup built here ----

class Html {
  constructor(readonly s: string) {}
  toString(): string {
    return this.s;
  }
}

/**
 * A template tag that escapes every interpolated value (arrays item by item) unless it is an
 * Html value from this tag: forgetting to escape a value is then impossible rather than a matter
 * of care. Hand-written because it is a dozen lines and the output must not depend on anything
 * that could change how a value is written.
 */
function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
  return new Html(out);
}

function piece(v: unknown): string {
  if (v instanceof Html) return v.s;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

function raw(s: string): Html {
  return new Html(s);
}

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

// ---- formatting ----

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function f(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function pct(share: number): string {
  return `${(Math.round(share * 1000) / 10).toString()}%`;
}

function ms(v: number | undefined): string {
  if (v === undefined) return '–';
  if (v >= 10_000) return `${fmt(Math.round(v / 100) / 10)} s`;
  return v >= 10 ? `${fmt(Math.round(v))} ms` : `${(Math.round(v * 10) / 10).toString()} ms`;
}

/** Offset from the run's start as m:ss or h:mm:ss. */
function clock(msAt: number): string {
  const total = Math.round(msAt / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function duration(msLen: number): string {
  const sec = msLen / 1000;
  if (sec < 60) return `${(Math.round(sec * 10) / 10).toString()} 秒 (${(Math.round(sec * 10) / 10).toString()} s)`;
  const total = Math.round(sec);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const r = total % 60;
  return h ? `${h} 小时 ${m} 分 (${h} h ${m} min)` : `${m} 分 ${r} 秒 (${m} min ${r} s)`;
}

/** A bucket width (125 ms doubled some times) in words. */
function bucketZh(msLen: number): string {
  return msLen < 1000 ? `${msLen} 毫秒` : msLen < 60_000 ? `${msLen / 1000} 秒` : `${(msLen / 60_000).toFixed(1)} 分钟`;
}

function bucketEn(msLen: number): string {
  return msLen < 1000 ? `${msLen} ms` : msLen < 60_000 ? `${msLen / 1000} s` : `${(msLen / 60_000).toFixed(1)} min`;
}

/** Local wall-clock time with its UTC offset: the report is read where it was made. */
function localTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = `UTC${off >= 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`;
}

/** Shortened for display, never inside a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s[max - 2]) ? max - 2 : max - 1;
  return `${s.slice(0, end)}…`;
}

const CSS = `
:root{--fg:#212529;--muted:#6c757d;--line:#dee2e6;--bg:#f8f9fa;--card:#fff}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 -apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif}
main{max-width:980px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:26px;margin:2px 0 12px;word-break:break-all}
h2{font-size:19px;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 8px;color:#343a40}
.en{color:var(--muted);font-weight:normal}
.muted{color:var(--muted)}
.kicker{margin:0;color:var(--muted);font-size:13px;letter-spacing:.02em}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin:18px 0}
.status{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:baseline;padding:10px 14px;border-radius:6px;border-left:5px solid}
.status.good{background:#ebfbee;border-color:#2f9e44}
.status.warn{background:#fff9db;border-color:#f59f00}
.status.bad{background:#fff5f5;border-color:#e03131}
.status .detail{color:#495057;word-break:break-word}
.badge{background:#e7f5ff;color:#1864ab;border-radius:999px;padding:1px 10px;font-size:13px}
.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:6px 24px;margin:14px 0 0}
.meta div{display:flex;gap:12px}
.meta dt{color:var(--muted);width:9.5em;flex:none}
.meta dd{margin:0;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fff}
.card .num{font-size:26px;font-weight:600;font-variant-numeric:tabular-nums}
.card .label{font-size:13px}
.card.rejected .num,.card.invalid .num,.card.lookupRejected .num,.card.erpRejected .num{color:#c77c02}.card.failed .num{color:#c92a2a}.card.created .num,.card.wouldCreate .num{color:#2b8a3e}
.card.zero .num{color:#adb5bd}
.split{display:flex;height:14px;border-radius:7px;overflow:hidden;margin:16px 0 6px;background:var(--line)}
.split span{display:block;height:100%}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:6px 0;font-size:13px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:var(--bg)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.barcell{width:22%}
.meter{display:block;height:10px;background:var(--bg);border-radius:5px;overflow:hidden;margin-top:5px}
.meter span{display:block;height:100%}
.example{color:#495057;font-size:13px;margin-top:2px;word-break:break-word;white-space:pre-wrap}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);padding:1px 4px;border-radius:3px}
.chip{display:inline-block;margin:0 6px 2px 0;font-size:13px}
.chips{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.chips li{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:1px 8px;word-break:break-all}
.chart{width:100%;height:auto;display:block}
.stats{display:flex;flex-wrap:wrap;gap:8px 26px;margin:0 0 8px}
.stats dt{color:var(--muted);font-size:13px}.stats dd{margin:0;font-size:18px;font-weight:600;font-variant-numeric:tabular-nums}
.files{list-style:none;padding:0;margin:0}
.files li{padding:6px 0;display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}
.files a{font-weight:600;color:#1c7ed6}
.note{color:var(--muted);font-size:13px}
.identity{margin:10px 0 0;font-size:14px}
.none{color:#2b8a3e}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media print{body{background:#fff}section{break-inside:avoid;border-color:#ccc}main{padding:0}}
`;
