/**
 * A broken internal invariant: a bug, never bad input. It carries the simulated
 * time and what it is about, so a report of it can be reproduced.
 */
export class InvariantError extends Error {
  override readonly name = "InvariantError";

  constructor(
    what: string,
    readonly time: number,
    readonly subject: string,
  ) {
    super(`${what} (simulated time ${time} s, ${subject})`);
  }
}

/** The clock could not advance: events kept scheduling events at the same instant. */
export class StalledError extends Error {
  override readonly name = "StalledError";

  constructor(
    readonly time: number,
    readonly events: number,
  ) {
    super(`simulated time stopped advancing at ${time} s: ${events} events in a row at that instant`);
  }
}
