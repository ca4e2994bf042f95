import { SpotRunnerError } from "../errors";
import { Advice } from "./types";

/** No (type, zone) qualified. The message is the advisor's explanation of what eliminated what. */
export class NoSpotCapacityError extends SpotRunnerError {
  override name = "NoSpotCapacityError";
  constructor(readonly advice: Advice) {
    super(advice.explanation.join("\n"));
  }
}

/** The advice's candidates, or NoSpotCapacityError when there are none. */
export function requireCandidates(advice: Advice): Advice["candidates"] {
  if (advice.candidates.length === 0) throw new NoSpotCapacityError(advice);
  return advice.candidates;
}
