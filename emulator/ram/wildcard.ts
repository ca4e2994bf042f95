/**
 * RAM's wildcards, as used in Action, Resource and StringLike values: `*` matches any run of characters
 * (including none), `?` exactly one. Matching is over the whole string. Implemented with two pointers and
 * one backtrack point (no regular expressions), so a hostile pattern cannot make it exponential.
 */
export function wildcardMatch(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  const p = options.ignoreCase ? pattern.toLowerCase() : pattern;
  const v = options.ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let starAt = -1; // position of the last `*` in the pattern
  let starMatchedUpTo = 0; // where in the value that `*` currently stops
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      starAt = pi++;
      starMatchedUpTo = vi;
    } else if (starAt >= 0) {
      // Let the last `*` swallow one more character and retry from there.
      pi = starAt + 1;
      vi = ++starMatchedUpTo;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
