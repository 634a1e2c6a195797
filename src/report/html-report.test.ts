import { describe, expect, it } from 'vitest';
import { escapeHtml, renderRunReport, type RunSummary } from './html-report.js';
import { RunTimeline } from './run-timeline.js';

const EVIL = '<script>alert("x")</script>';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    pipeline: 'contacts-import', file: '/data/联系人.xlsx', sheet: '联系人', target: 'http://erp.example.com:8088', dryRun: false,
    read: 1234, valid: 1200, invalid: 34, lookupRejected: 0, erpRejected: 0, rejected: 34, created: 1000, updated: 150, unchanged: 30, skipped: 10, failed: 10,
    interrupted: 0, notAttempted: 0, continuationRows: 0, doneEarlier: 0,
    wouldCreate: 0, wouldUpdate: 0, wouldSkip: 0, unmappedColumns: [], durationMs: 61_000, rowsPerSecond: 20,
    reports: { dir: '/r' }, lookups: { companies: 12, cacheHits: 100 }, problems: { LOOKUP_MISS: 30, BAD_DATE: 4, ERP_FAILED: 10 },
    ...over,
  };
}

function timeline() {
  let t = 0;
  const tl = new RunTimeline({ now: () => t, startedAt: Date.UTC(2026, 10, 28, 6, 0, 0) });
  for (let i = 0; i < 50; i++) {
    t = i * 100;
    tl.request(20 + i, true);
    tl.row(i % 5 ? 'created' : 'rejected', i % 5 ? [] : [{ code: 'LOOKUP_MISS', row: i + 2, column: '客户名称', message: { zh: `找不到客户“${EVIL}”`, en: 'no customer' } }]);
  }
  t = 5000;
  return tl.snapshot();
}

/** Text content of the element carrying this data-testid (simple elements only). */
function testid(page: string, id: string): string | undefined {
  return new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(page)?.[1];
}

describe('renderRunReport', () => {
  it('escapes every text from the input file and the ERP', () => {
    const page = renderRunReport(summary({
      pipeline: EVIL, file: `/data/${EVIL}.xlsx`, sheet: '"><img src=x onerror=alert(1)>', target: EVIL,
      unmappedColumns: [EVIL, "' onmouseover='alert(1)"], aborted: `stopped: ERP said ${EVIL}`,
    }), timeline(), { rejects: 'rejects.xlsx' });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain("' onmouseover='");
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // The example reason carries the cell value, as text.
    expect(page).toContain('找不到客户“&lt;script&gt;');
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('fetches nothing: no script, no external resource, relative links only', () => {
    const page = renderRunReport(summary(), timeline(), { rejects: 'rejects.xlsx', results: 'results.csv', summary: 'summary.json' });
    expect(page).not.toMatch(/\ssrc=/i);
    expect(page).not.toMatch(/url\(|@import|<link|<script/i);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['rejects.xlsx', 'results.csv', 'summary.json']);
  });

  it('shows the outcome counts of a run, Chinese first', () => {
    const page = renderRunReport(summary(), timeline(), {});
    expect(testid(page, 'count-read')).toBe('1,234');
    expect(testid(page, 'count-created')).toBe('1,000');
    expect(testid(page, 'count-failed')).toBe('10');
    expect(testid(page, 'count-doneEarlier')).toBe('0');
    expect(testid(page, 'count-wouldCreate')).toBeUndefined();
    expect(page).toContain('已创建 <span class="en">Created</span>');
    expect(page).toContain('部分行未导入');
    // Reasons by count, with the Chinese reason beside the code.
    const codes = [...page.matchAll(/data-testid="reason-row" data-code="([A-Z_]+)"/g)].map((m) => m[1]);
    expect(codes).toEqual(['LOOKUP_MISS', 'ERP_FAILED', 'BAD_DATE']);
    expect(page).toContain('找不到对应的客户或联系人');
    expect(page).toMatch(/data-testid="column-row" data-column="客户名称"/);
  });

  it('shows what a dry run would do instead of what was written', () => {
    const page = renderRunReport(summary({ dryRun: true, created: 0, updated: 0, unchanged: 0, skipped: 0, wouldCreate: 7, wouldUpdate: 2, wouldSkip: 1, problems: {}, rejected: 0, failed: 0 }), new RunTimeline().snapshot(), {});
    expect(testid(page, 'count-wouldCreate')).toBe('7');
    expect(testid(page, 'count-created')).toBeUndefined();
    expect(page).toContain('演练：未写入 ERP');
    expect(page).toContain('data-testid="no-rejects"');
    expect(page).toContain('data-testid="link-rejects-none"');
    // Charts with nothing to draw still render, saying so.
    expect(page).toMatch(/data-testid="chart-throughput"[^]*无数据 no data/);
  });

  it('draws throughput bars and latency lines from the timeline', () => {
    const page = renderRunReport(summary(), timeline(), {});
    const throughput = /<svg[^>]*data-testid="chart-throughput"[^]*?<\/svg>/.exec(page)![0];
    expect(throughput.match(/<rect /g)!.length).toBeGreaterThanOrEqual(5);
    const latency = /<svg[^>]*data-testid="chart-latency"[^]*?<\/svg>/.exec(page)![0];
    expect(latency).toMatch(/<polyline data-series="medianMs" points="[\d.]+,[\d.]+ /);
    expect(latency).toMatch(/<polyline data-series="p95Ms"/);
  });
});
