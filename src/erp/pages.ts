/**
 * Pages of a list fetched in parallel and handed over strictly in order, with at most
 * `concurrency` pages in flight or waiting: memory stays bounded whatever the list's size.
 */
import pLimit from 'p-limit';
import type { ListPage } from './client.js';

export async function* orderedPages(
  fetchPage: (pageindex: number) => Promise<ListPage>,
  concurrency: number,
): AsyncGenerator<ListPage & { pageindex: number }> {
  const first = await fetchPage(1);
  yield { ...first, pageindex: 1 };
  const pagecount = first.page.pagecount;
  if (pagecount <= 1 || !first.rows.length) return;
  const limit = pLimit(concurrency);
  const pending = new Map<number, Promise<ListPage>>();
  let next = 2;
  const fill = () => {
    while (next <= pagecount && pending.size < concurrency) {
      const i = next++;
      const p = limit(() => fetchPage(i));
      p.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
      pending.set(i, p);
    }
  };
  for (let i = 2; i <= pagecount; i++) {
    fill();
    const page = await pending.get(i)!;
    pending.delete(i);
    yield { ...page, pageindex: i };
    // Records removed while paging can leave the tail empty.
    if (!page.rows.length) return;
  }
}
