/**
 * A token bucket: at most `perSecond` requests per second on average, with bursts of one
 * second's worth. Waiters are served in order.
 */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();
  private queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly perSecond: number) {
    this.tokens = Math.max(1, perSecond);
  }

  take(): Promise<void> {
    if (!this.queue.length && this.refill() >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.schedule();
    });
  }

  private refill(): number {
    const now = performance.now();
    this.tokens = Math.min(Math.max(1, this.perSecond), this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    return this.tokens;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, ((1 - this.refill()) / this.perSecond) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.queue.length && this.refill() >= 1) {
        this.tokens -= 1;
        this.queue.shift()!();
      }
      if (this.queue.length) this.schedule();
    }, wait);
  }
}
