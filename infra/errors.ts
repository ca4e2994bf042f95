/** One thing wrong with the stack configuration: the full config key, what is wrong, and how to fix it. */
export interface ConfigProblem {
  readonly key: string;
  readonly problem: string;
  readonly fix: string;
}

export const formatConfigProblem = (p: ConfigProblem): string => `${p.key}: ${p.problem}. Fix: ${p.fix}`;

/**
 * The static stack's configuration is invalid. Thrown at program start, before any resource is declared,
 * with every problem found (not just the first), so one `pulumi up` shows all there is to fix.
 */
export class InfraConfigError extends Error {
  override name = "InfraConfigError";
  /**
   * Marks this as a Pulumi RunError (duck-typed, so this module stays free of Pulumi): `pulumi up` then prints
   * the message alone, without the program's source and stack trace, which would only bury the problems.
   */
  readonly __pulumiRunError = true;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${formatConfigProblem(p)}`).join("\n"),
    );
  }
}
