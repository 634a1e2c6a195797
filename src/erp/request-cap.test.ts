import { describe, expect, it } from 'vitest';
import { RequestCap } from './request-cap.js';

const later = () => new Promise((r) => setImmediate(r));

describe('RequestCap', () => {
  it('runs at most its size at once, in the order asked, and every attempt to its end', async () => {
    const cap = new RequestCap(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cap.run(async () => {
      started.push(i);
      most = Math.max(most, ++running);
      await later();
      running--;
      return i * 2;
    })));
    expect(most).toBe(3);
    expect(started).toEqual([...Array(20).keys()]);
    expect(results).toEqual([...Array(20).keys()].map((i) => i * 2));
  });

  it('starts the next attempt from within free(), before any promise job runs', async () => {
    const cap = new RequestCap(1);
    const order: string[] = [];
    let free!: () => void;
    let finish!: () => void;
    const first = cap.run((f) => {
      free = f;
      return new Promise<void>((r) => (finish = r));
    });
    const second = cap.run(async () => {
      order.push('second started');
    });
    await later();
    expect(order).toEqual([]);
    void Promise.resolve().then(() => order.push('a promise job'));
    free();
    order.push('free returned');
    finish();
    await Promise.all([first, second]);
    expect(order).toEqual(['second started', 'free returned', 'a promise job']);
  });

  it('gives the slot back when an attempt fails, and the caller gets its error', async () => {
    const cap = new RequestCap(1);
    const failed = cap.run(async () => {
      throw new Error('refused');
    });
    const next = cap.run(async () => 'next ran');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('next ran');
  });

  it('frees a slot once, however often free() is called', async () => {
    const cap = new RequestCap(1);
    let running = 0;
    let most = 0;
    const attempt = async (free: () => void) => {
      most = Math.max(most, ++running);
      await later();
      running--;
      free();
      free();
    };
    await Promise.all(Array.from({ length: 5 }, () => cap.run(attempt)));
    expect(most).toBe(1);
  });
});
