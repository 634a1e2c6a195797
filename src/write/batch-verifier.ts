/**
 * Creates verified in batches, without a request per row (issue 13): one page of the newest
 * records (the list sorted by ord, newest first) shows many saves at once; each waiting row is
 * matched to a new record by its keys. A row its page does not show is handed back, and its
 * writer looks for it row by row before anything is sent again: nothing is re-sent before a look
 * has shown it missing.
 *
 * Why ords: a record saved after a list was read gets a larger ord than any the list showed
 * (ords are the table's identity), so a row only needs the records newer than the newest ord seen
 * when its save was sent.
 */
import type { ContactRef as ListedRecord } from '../run/import-erp.js';

export interface NewestPage {
  rows: ListedRecord[];
}

export interface BatchVerifierOptions {
  /** A page of the list, newest first (sorted by ord, descending). */
  newest(pagesize: number, pageindex: number): Promise<NewestPage>;
  /** The first page start() reads (default: `newest`'s first), which may have been read before it. */
  first?(pagesize: number): Promise<NewestPage>;
  /** Rows per list page at most (the installation's limit). */
  maxPageSize: number;
  /** A batch is read when this many rows wait… */
  maxBatch: number;
  /** …or when the first of them has waited this long. */
  maxWaitMs: number;
}

/**
 * A field a record must have, trimmed, as the row has it to match it (a plain-text match key):
 * a batch is then matched by lookup, not by comparing every row with every new record.
 */
export interface MatchHint {
  key: string;
  value: string;
}

/**
 * Taken just before a save is sent: the newest ord seen then, and how many saves had been answered
 * when the read that showed it went out (a record newer than `ord` is none of theirs).
 */
export interface VerifyMark {
  ord: number;
  n: number;
}

interface Waiting {
  since: number;
  /** Saves that cannot have made a record newer than `since` (VerifyMark.n). */
  n: number;
  hint: MatchHint | undefined;
  matches(r: ListedRecord): boolean;
  resolve(r: ListedRecord | undefined): void;
  reject(err: unknown): void;
}

export class BatchVerifier {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** The newest ord any read has shown: saves sent from now on make larger ones. */
  private seen = 0;
  /**
   * Saves that cannot be newer than `seen`: those answered when the read that showed it went out
   * (the ERP stored them before it read the list). Counting from the marks instead missed the saves
   * in flight then, and each batch took a second page to reach its oldest row.
   */
  private seenBase = 0;
  /** Saves answered (expected) so far. */
  private answered = 0;
  /**
   * What the last read showed, kept until the next: a save answered after it went out may have
   * been stored before or after the ERP read its list. Looked for there first, it is either found
   * or newer than everything that read showed, and the next page need not reach back further
   * (otherwise the saves on their way during a read made the next page reach back over two
   * batches: two pages of 500 a batch at 16 in flight). `floor`: the ord it read back to; it
   * showed everything up to `seen`, and was sent when `seenBase` saves had been answered.
   */
  private last: { floor: number; fresh: FreshRecords } | undefined;
  /** List pages read, for the summary. */
  pages = 0;

  private constructor(private readonly o: BatchVerifierOptions) {}

  /** Records start() reads: two tell whether the list sorts newest first. */
  static readonly FIRST_PAGE = 2;

  /**
   * A verifier when the list sorts by ord, newest first (checked on its first page); undefined
   * otherwise, and creates are then verified row by row.
   */
  static async start(o: BatchVerifierOptions): Promise<BatchVerifier | undefined> {
    const page = await (o.first ? o.first(BatchVerifier.FIRST_PAGE) : o.newest(BatchVerifier.FIRST_PAGE, 1));
    const ords = page.rows.map((r) => Number(r.ord));
    if (ords.some((n) => !Number.isSafeInteger(n)) || (ords.length > 1 && ords[0] <= ords[1])) return undefined;
    const v = new BatchVerifier(o);
    v.seen = ords[0] ?? 0;
    return v;
  }

  /** Saves marked so far. */
  private marked = 0;

  /** The newest ord seen: take it just before a save is sent, and pass it to `expect`. */
  mark(): VerifyMark {
    this.marked++;
    return { ord: this.seen, n: this.seenBase };
  }

  /** The record a save sent after `since` made and that `matches`, or undefined when the newest records do not show it. */
  expect(mark: VerifyMark, matches: (r: ListedRecord) => boolean, hint?: MatchHint): Promise<ListedRecord | undefined> {
    this.answered++;
    return new Promise((resolve, reject) => {
      this.waiting.push({ since: mark.ord, n: mark.n, hint, matches, resolve, reject });
      if (this.waiting.length >= this.o.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.o.maxWaitMs);
    });
  }

  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // One read at a time: rows arriving meanwhile wait for the next.
    while (this.flushing) await this.flushing;
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) return;
    this.flushing = this.read(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (this.waiting.length && !this.timer) this.timer = setTimeout(() => void this.flush(), this.o.maxWaitMs);
  }

  private async read(all: Waiting[]): Promise<void> {
    const batch: Waiting[] = [];
    const last = this.last;
    for (const w of all) {
      if (last && w.since >= last.floor && w.since < this.seen) {
        const mine = last.fresh.find(w.hint, (r) => Number(r.ord) > w.since && w.matches(r));
        if (mine) {
          w.resolve(mine);
          continue;
        }
        w.since = this.seen;
        w.n = Math.max(w.n, this.seenBase);
      }
      batch.push(w);
    }
    if (!batch.length) return;
    let oldest = Infinity;
    let first = Infinity;
    for (const w of batch) {
      if (w.since < oldest) oldest = w.since;
      if (w.n < first) first = w.n;
    }
    const rows: ListedRecord[] = [];
    try {
      // Pages newest first until one reaches the ords older than every waiting row's save. A page
      // as large as the saves that can be newer than the oldest of them, with room for others'
      // new records, so that one page is read as a rule, and no more of them than that.
      const pagesize = Math.min(this.o.maxPageSize, Math.max(20, Math.ceil((this.marked - first) * 1.2) + 20));
      const answeredBefore = this.answered;
      let newest = 0;
      for (let pageindex = 1; ; pageindex++) {
        const page = await this.o.newest(pagesize, pageindex);
        this.pages++;
        if (pageindex === 1) newest = Number(page.rows[0]?.ord ?? 0);
        for (const r of page.rows) if (Number(r.ord) > oldest) rows.push(r);
        const lastOrd = Number(page.rows.at(-1)?.ord ?? 0);
        if (page.rows.length < pagesize || lastOrd <= oldest) break;
      }
      // Taken when the whole read has come in, with what it showed: marks taken meanwhile keep the
      // older newest ord, which is as true for them.
      this.seen = Math.max(this.seen, newest);
      this.seenBase = answeredBefore;
      this.last = { floor: oldest, fresh: new FreshRecords(rows) };
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    const fresh = this.last.fresh;
    for (const w of batch) w.resolve(fresh.find(w.hint, (r) => Number(r.ord) > w.since && w.matches(r)));
  }

  /** No more saves will come: the rows waiting are looked for now rather than when the timer ends. */
  readNow(): void {
    if (this.waiting.length) void this.flush();
  }

  /** Lets waiting rows go unanswered (the run is stopping): they look row by row, or stay pending. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    for (const w of batch) w.resolve(undefined);
  }
}

/**
 * The new records of one read, newest first, each claimed by one row at most. Looked up by a
 * hint's field when there is one: a batch is matched by lookup, not by comparing every row with
 * every new record; the record found is the one a scan would find.
 */
class FreshRecords {
  private readonly claimed = new Set<string>();
  private readonly byKey = new Map<string, Map<string, ListedRecord[]>>();

  constructor(private readonly rows: ListedRecord[]) {}

  find(hint: MatchHint | undefined, fits: (r: ListedRecord) => boolean): ListedRecord | undefined {
    const mine = this.among(hint).find((r) => !this.claimed.has(r.ord) && fits(r));
    if (mine) this.claimed.add(mine.ord);
    return mine;
  }

  private among(hint: MatchHint | undefined): ListedRecord[] {
    if (!hint) return this.rows;
    let groups = this.byKey.get(hint.key);
    if (!groups) {
      groups = new Map();
      for (const r of this.rows) {
        const v = (r.values[hint.key] ?? '').trim();
        const group = groups.get(v);
        if (group) group.push(r);
        else groups.set(v, [r]);
      }
      this.byKey.set(hint.key, groups);
    }
    return groups.get(hint.value.trim()) ?? [];
  }
}
