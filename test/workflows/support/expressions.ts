/**
 * Just enough of GitHub Actions' expression language to evaluate the `runs-on` and `if:` expressions of our
 * workflows the way GitHub does (docs.github.com, "Evaluate expressions in workflows and actions"):
 * - literals: 'strings' ('' escapes a quote), true, false, null, numbers;
 * - context paths: a.b.c (names may contain "-", as output names do), resolved by the caller;
 * - operators, loosest first: ||, &&, == and !=, !, with parentheses;
 * - `a && b` is b when a is truthy, else a; `a || b` is a when a is truthy, else b (so `c && x || 'y'` is the
 *   usual conditional); falsy = false, 0, '', null; strings compare without regard to case.
 * Anything else throws, so a workflow using more than this fails the test rather than being misread.
 */
export type Value = string | number | boolean | null;
export type Resolve = (path: readonly string[]) => Value;

type Token = { kind: "op"; text: string } | { kind: "lit"; value: Value } | { kind: "path"; path: string[] };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith("==", i) || text.startsWith("!=", i) || text.startsWith("&&", i) || text.startsWith("||", i)) {
      tokens.push({ kind: "op", text: text.slice(i, i + 2) });
      i += 2;
    } else if ("()!".includes(c)) {
      tokens.push({ kind: "op", text: c });
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated string in ${text}`);
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") {
          i++;
          break;
        } else value += text[i++];
      }
      tokens.push({ kind: "lit", value });
    } else {
      const m = /^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*/.exec(text.slice(i));
      if (!m) throw new Error(`unsupported expression syntax at "${text.slice(i)}"`);
      const word = m[0];
      i += word.length;
      if (word === "true" || word === "false") tokens.push({ kind: "lit", value: word === "true" });
      else if (word === "null") tokens.push({ kind: "lit", value: null });
      else if (/^\d+(\.\d+)?$/.test(word)) tokens.push({ kind: "lit", value: Number(word) });
      else tokens.push({ kind: "path", path: word.split(".") });
    }
  }
  return tokens;
}

const truthy = (v: Value): boolean => !(v === false || v === 0 || v === "" || v === null);
const equal = (a: Value, b: Value): boolean =>
  typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;

/** Evaluates `${{ expr }}` (or a bare expression); throws on syntax it does not know. */
export function evaluate(expression: string, resolve: Resolve): Value {
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expression)?.[1] ?? expression;
  const tokens = tokenize(inner);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (text: string) => peek()?.kind === "op" && (peek() as { text: string }).text === text;

  const primary = (): Value => {
    const t = tokens[pos++];
    if (!t) throw new Error(`unexpected end of ${inner}`);
    if (t.kind === "lit") return t.value;
    if (t.kind === "path") return resolve(t.path);
    if (t.text === "(") {
      const v = or();
      if (!isOp(")")) throw new Error(`missing ) in ${inner}`);
      pos++;
      return v;
    }
    if (t.text === "!") return !truthy(primary());
    throw new Error(`unexpected ${t.text} in ${inner}`);
  };
  const comparison = (): Value => {
    let left = primary();
    while (isOp("==") || isOp("!=")) {
      const op = (tokens[pos++] as { text: string }).text;
      const right = primary();
      left = op === "==" ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (isOp("&&")) {
      pos++;
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (isOp("||")) {
      pos++;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const value = or();
  if (pos !== tokens.length) throw new Error(`unexpected tokens after the expression in ${inner}`);
  return value;
}
