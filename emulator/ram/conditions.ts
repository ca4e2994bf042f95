/**
 * RAM condition operators: how one request value compares with one policy value, and which policy values
 * each operator accepts. The combination rules (OR over a key's values, AND over keys and operators, absent
 * keys) live in evaluate.ts.
 */
import { ipInRange, parseIpRange } from "./ip";
import { wildcardMatch } from "./wildcard";

export interface ConditionOperator {
  /** True when the request value satisfies the positive form against one policy value. */
  readonly test: (requestValue: string, policyValue: string) => boolean;
  /**
   * A negated operator (StringNotEquals, NotIpAddress, ...) is the complement of its positive form: true when
   * no policy value matches, and true when the key is absent from the request.
   */
  readonly negated: boolean;
  /** Why a policy value is unusable with this operator; undefined when it is fine. */
  readonly checkValue: (policyValue: string) => string | undefined;
}

const anyString = (): undefined => undefined;

function parseNumber(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** ISO 8601 date-times, as acs:CurrentTime is written ("2026-01-01T00:00:00Z"). */
function parseDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const value = Date.parse(text.trim());
  return Number.isNaN(value) ? undefined : value;
}

const checkNumber = (v: string) => (parseNumber(v) === undefined ? `"${v}" is not a number` : undefined);
const checkDate = (v: string) => (parseDate(v) === undefined ? `"${v}" is not an ISO 8601 date-time` : undefined);
const checkBool = (v: string) => (/^(true|false)$/i.test(v) ? undefined : `"${v}" is not true or false`);
const checkIp = (v: string) => (parseIpRange(v) === undefined ? `"${v}" is not an IP address or CIDR` : undefined);

function numeric(compare: (request: number, policy: number) => boolean, negated = false): ConditionOperator {
  return {
    test: (r, p) => {
      const request = parseNumber(r);
      const policy = parseNumber(p);
      return request !== undefined && policy !== undefined && compare(request, policy);
    },
    negated,
    checkValue: checkNumber,
  };
}

function date(compare: (request: number, policy: number) => boolean, negated = false): ConditionOperator {
  return {
    test: (r, p) => {
      const request = parseDate(r);
      const policy = parseDate(p);
      return request !== undefined && policy !== undefined && compare(request, policy);
    },
    negated,
    checkValue: checkDate,
  };
}

const equals = (r: string, p: string) => r === p;
const equalsIgnoreCase = (r: string, p: string) => r.toLowerCase() === p.toLowerCase();
const like = (r: string, p: string) => wildcardMatch(p, r);
const inRange = (r: string, p: string) => {
  const range = parseIpRange(p);
  return range !== undefined && ipInRange(r, range);
};

/** Every operator RAM documents (policy elements and conditional-operator pages), by its exact name. */
export const CONDITION_OPERATORS: Readonly<Record<string, ConditionOperator>> = {
  StringEquals: { test: equals, negated: false, checkValue: anyString },
  StringNotEquals: { test: equals, negated: true, checkValue: anyString },
  StringEqualsIgnoreCase: { test: equalsIgnoreCase, negated: false, checkValue: anyString },
  StringNotEqualsIgnoreCase: { test: equalsIgnoreCase, negated: true, checkValue: anyString },
  StringLike: { test: like, negated: false, checkValue: anyString },
  StringNotLike: { test: like, negated: true, checkValue: anyString },
  NumericEquals: numeric((r, p) => r === p),
  NumericNotEquals: numeric((r, p) => r === p, true),
  NumericLessThan: numeric((r, p) => r < p),
  NumericLessThanEquals: numeric((r, p) => r <= p),
  NumericGreaterThan: numeric((r, p) => r > p),
  NumericGreaterThanEquals: numeric((r, p) => r >= p),
  DateEquals: date((r, p) => r === p),
  DateNotEquals: date((r, p) => r === p, true),
  DateLessThan: date((r, p) => r < p),
  DateLessThanEquals: date((r, p) => r <= p),
  DateGreaterThan: date((r, p) => r > p),
  DateGreaterThanEquals: date((r, p) => r >= p),
  Bool: { test: equalsIgnoreCase, negated: false, checkValue: checkBool },
  IpAddress: { test: inRange, negated: false, checkValue: checkIp },
  NotIpAddress: { test: inRange, negated: true, checkValue: checkIp },
};

/**
 * Evaluates one operator for one key. `requestValues` undefined means the key is absent from the request:
 * positive operators are then false and negated ones true (AWS's rule; RAM does not document it). With
 * several request values (a multi-valued key) the positive form holds when any of them matches any policy
 * value.
 */
export function evaluateOperator(
  operator: ConditionOperator,
  policyValues: readonly string[],
  requestValues: readonly string[] | undefined,
): boolean {
  if (requestValues === undefined) return operator.negated;
  const matched = requestValues.some((r) => policyValues.some((p) => operator.test(r, p)));
  return operator.negated ? !matched : matched;
}
