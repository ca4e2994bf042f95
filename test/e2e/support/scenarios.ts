import pLimit from "p-limit";

/**
 * The real-CLI scenarios are slow (seconds of Node start-up per Pulumi process) but independent: each has its own
 * emulator, stacks and processes. They are declared when mocha loads the files and all start, a few at a time,
 * at the beginning of the run (so they overlap the unit tests that come first), or when the first one is asked
 * for if the run picks tests by name (--grep: most runs of that kind select no scenario at all); each `it` then
 * awaits the outcome it checks. Outcomes depend only on each scenario's own steps, never on the order scenarios
 * run in or on what else runs beside them.
 */
const CONCURRENCY = Number(process.env.SPOT_RUNNER_E2E_CONCURRENCY) > 0 ? Number(process.env.SPOT_RUNNER_E2E_CONCURRENCY) : 3;

const declared: Array<() => void> = [];
let started = false;
let limiter: ReturnType<typeof pLimit> | undefined;

const PICKS_TESTS_BY_NAME = process.argv.some((a) => /^(-g|-f|--grep|--fgrep|--invert)(=|$)/.test(a));

before(function () {
  if (!PICKS_TESTS_BY_NAME && process.env.SPOT_RUNNER_E2E_PRESTART !== "0") startAll();
});

function startAll(): void {
  if (started) return;
  started = true;
  for (const start of declared) start();
}

export function scenario<T>(run: () => Promise<T>): () => Promise<T> {
  let settle!: { resolve: (value: T) => void; reject: (err: unknown) => void };
  const result = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined); // reported by the `it` that awaits it
  declared.push(() => {
    limiter ??= pLimit(CONCURRENCY);
    limiter(run).then(settle.resolve, settle.reject);
  });
  return () => {
    startAll();
    return result;
  };
}

/**
 * The steps of one scenario, in order, each checked by its own `it`: a failed step is reported by its own test,
 * and the steps after it by theirs as not run.
 */
export class Steps<K extends string> {
  private readonly outcomes = new Map<K, { error?: unknown }>();
  private failed: K | undefined;

  async run(name: K, body: () => Promise<void>): Promise<void> {
    if (this.failed !== undefined) {
      this.outcomes.set(name, { error: new Error(`not run: step "${this.failed}" failed before it`) });
      return;
    }
    try {
      await body();
      this.outcomes.set(name, {});
    } catch (error) {
      this.failed = name;
      this.outcomes.set(name, { error });
    }
  }

  /** Throws what the step threw; passes if it passed. */
  check(name: K): void {
    const outcome = this.outcomes.get(name);
    if (!outcome) throw new Error(`step "${name}" never ran (the scenario stopped early)`);
    if (outcome.error !== undefined) throw outcome.error;
  }
}
