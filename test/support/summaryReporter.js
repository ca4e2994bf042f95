"use strict";
// Mocha's spec output, plus the one-line summary CI reads: "N passed, N failed".
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures } = runner.stats;
      // Printed after Spec's epilogue so it is the last line of the run.
      process.nextTick(() => console.log(`${passes} passed, ${failures} failed`));
    });
  }
}
module.exports = SummaryReporter;
