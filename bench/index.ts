/**
 * `npm run bench`: runs every benchmark in turn and prints its report. Each benchmark is a function that
 * returns its lines and throws when its results are wrong (a fast wrong answer is not a result).
 */
import { advisorBenchmark } from "./advisor";
import { jobScriptBenchmark } from "./jobScript";
import { providerBenchmark } from "./provider";
import { imagesBenchmark } from "./images";
import { replayBenchmark } from "./replay";
import { startupBenchmark } from "./startup";

export interface Benchmark {
  readonly name: string;
  readonly run: () => Promise<readonly string[]>;
}

/** Add new benchmarks here. */
export const BENCHMARKS: readonly Benchmark[] = [
  advisorBenchmark, providerBenchmark, jobScriptBenchmark, replayBenchmark, startupBenchmark, imagesBenchmark,
];

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  let failed = 0;
  for (const bench of BENCHMARKS) {
    if (only.length > 0 && !only.includes(bench.name)) continue;
    process.stdout.write(`== ${bench.name}\n`);
    try {
      for (const line of await bench.run()) process.stdout.write(`${line}\n`);
    } catch (err) {
      failed += 1;
      process.stdout.write(`FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
