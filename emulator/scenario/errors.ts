/** One thing wrong with a scenario, at a JSON path such as `offerings[3].zoneId` ("" = the whole document). */
export interface ScenarioProblem {
  readonly path: string;
  readonly message: string;
}

/** How many problems the message lists; all of them stay in `problems`. */
const MAX_LISTED = 40;

/**
 * A scenario that cannot be used: unreadable, not JSON, or not valid. `problems` holds every problem found,
 * so a user fixing a hand-written file sees them all at once instead of one per run.
 */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  readonly problems: readonly ScenarioProblem[];
  /** The scenario file, when the scenario came from one. */
  readonly file?: string;

  constructor(problems: readonly ScenarioProblem[], file?: string) {
    super(formatProblems(problems, file));
    this.problems = problems;
    this.file = file;
  }
}

function formatProblems(problems: readonly ScenarioProblem[], file: string | undefined): string {
  const what = file === undefined ? "Invalid scenario" : `Invalid scenario file ${file}`;
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.slice(0, MAX_LISTED).map((p) => `  ${p.path === "" ? "" : `${p.path}: `}${p.message}`);
  if (problems.length > MAX_LISTED) lines.push(`  ... and ${problems.length - MAX_LISTED} more (see error.problems)`);
  return `${what} (${count}):\n${lines.join("\n")}`;
}
