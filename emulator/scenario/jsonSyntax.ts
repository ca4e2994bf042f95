/**
 * Where a JSON text stops being valid. Node 20's JSON.parse often reports only "Unexpected token ','" with no
 * position, and a person fixing a scenario file needs a line and a column. This scanner follows RFC 8259 just
 * far enough to find the first offending character; JSON.parse stays the parser.
 */

export interface JsonSyntaxLocation {
  readonly offset: number;
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
  readonly found: string;
}

/** The location of the first syntax error, or undefined when `text` is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxLocation | undefined {
  try {
    const end = skipSpace(text, value(text, skipSpace(text, 0)));
    if (end < text.length) throw new Stop(end);
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const line = before.split("\n").length;
    const column = err.offset - before.lastIndexOf("\n");
    const found = err.offset >= text.length ? "end of input" : JSON.stringify(text[err.offset]);
    return { offset: err.offset, line, column, found };
  }
}

class Stop {
  constructor(readonly offset: number) {}
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && " \t\n\r".includes(text[i])) i++;
  return i;
}

/** Scans one value starting at `i` (no leading space); returns the offset just after it. */
function value(text: string, i: number): number {
  const c = text[i];
  if (c === "{") return container(text, i, "}", (j) => {
    if (text[j] !== '"') throw new Stop(j);
    j = skipSpace(text, string(text, j));
    if (text[j] !== ":") throw new Stop(j);
    return value(text, skipSpace(text, j + 1));
  });
  if (c === "[") return container(text, i, "]", (j) => value(text, j));
  if (c === '"') return string(text, i);
  for (const word of ["true", "false", "null"]) {
    if (text.startsWith(word, i)) return i + word.length;
  }
  const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
  if (number && number[0] !== "-") return i + number[0].length;
  throw new Stop(i);
}

/** An object or array: `open`, members separated by commas (no trailing comma), `close`. */
function container(text: string, i: number, close: string, member: (j: number) => number): number {
  let j = skipSpace(text, i + 1);
  if (text[j] === close) return j + 1;
  for (;;) {
    j = skipSpace(text, member(j));
    if (text[j] === close) return j + 1;
    if (text[j] !== ",") throw new Stop(j);
    j = skipSpace(text, j + 1);
  }
}

function string(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '"') return j + 1;
    if (c < " ") throw new Stop(j);
    if (c === "\\") {
      const next = text[j + 1];
      if (next === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) throw new Stop(j);
        j += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) throw new Stop(j);
      j += 2;
      continue;
    }
    j++;
  }
  throw new Stop(j);
}
