import PQueue from "p-queue";

/**
 * The advisor's queries in flight: bounded, in order of preference, and slowed down by throttling.
 *
 * - Bounded (DEFAULT_CONCURRENCY): enough for the guide's requests to send every price query in one wave (the
 *   amd64 request needs 39), far from Node's socket limits, and a burst that per-minute API quotas absorb.
 * - In order of preference: a query for the first ratio goes before one for a fallback ratio (lower `rank`
 *   first); queries for ratios that a better ratio made moot are skipped when their turn comes.
 * - Slowed by throttling, not failed by it: a throttled answer halves the number in flight (at most once per
 *   round of answers, so one burst of throttling is one halving), and each answer that is not throttled adds one
 *   back, up to the bound. callEcs retries the throttled call itself, after the API's x-acs-retry-after.
 *
 * p-queue (sindresorhus) provides the queue: priorities, and a concurrency that can change while it runs.
 */
export class QueryScheduler {
  private readonly queue: PQueue;
  /** Answers still to come before another throttle may halve the concurrency again. */
  private answersUntilNextDecrease = 0;

  constructor(private readonly maxConcurrency: number) {
    this.queue = new PQueue({ concurrency: maxConcurrency });
  }

  /** Runs `task` when a slot is free; lower `rank` goes first. */
  run<T>(rank: number, task: () => Promise<T>): Promise<T> {
    return this.queue.add(task, { priority: -rank }) as Promise<T>;
  }

  /** Told of every HTTP answer a scheduled query received (every page, every retry). */
  onAnswer(throttled: boolean): void {
    if (this.answersUntilNextDecrease > 0) this.answersUntilNextDecrease -= 1;
    if (throttled) {
      if (this.answersUntilNextDecrease > 0) return;
      const halved = Math.max(1, Math.floor(this.queue.concurrency / 2));
      // The answers to requests already in flight were sent at the old rate: they do not halve it again.
      this.answersUntilNextDecrease = this.queue.pending;
      this.queue.concurrency = halved;
    } else if (this.queue.concurrency < this.maxConcurrency) {
      this.queue.concurrency += 1;
    }
  }

  /** How many queries may be in flight now (for tests and the benchmark). */
  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Resolves once nothing is queued or in flight. */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }
}
