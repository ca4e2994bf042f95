/**
 * Pulumi's non-interactive output, trimmed for the demo: the step lines (with the provider's progress lines) and
 * the final resource summary; not the progress dots, nor the Diagnostics and Outputs sections that repeat them.
 */
export function pulumiOutputFilter(say: (line: string) => void): (line: string) => void {
  let phase: "steps" | "skip" | "summary" = "steps";
  return (raw) => {
    const line = raw.replace(/\s+$/, "");
    if (/^(Diagnostics|Outputs):$/.test(line)) phase = "skip";
    else if (/^Resources:$/.test(line)) phase = "summary";
    if (line.trim() === "" || /^@ /.test(line) || phase === "skip") return;
    say(`     ${line}`);
  };
}
