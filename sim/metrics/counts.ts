/**
 * The metrics that count things (requests, sessions, visits, connections, bytes held): whole
 * numbers in every replication. Their means over replications are not counts. `connections.messages`
 * is the expected number carried at the message rate, not a count; `peakReconnectsPerSecond` is the
 * attempts counted in one second.
 */
const COUNTS: ReadonlySet<string> = new Set([
  "requests",
  "failedRequests",
  "sessions",
  "lostSessions",
  "visits",
  "disruptedVisits",
  "expiredSessions",
  "liveSessionsAtStart",
  "liveSessionsAtEnd",
  "peakSessionsHeld",
  "peakBytesHeld",
  "staleReads",
  "connections.opened",
  "connections.dropped",
  "connections.reconnectAttempts",
  "connections.reconnects",
  "connections.refused",
  "connections.gaveUp",
  "connections.peakReconnectsPerSecond",
  "connections.skewedAtEnd",
  "connections.messagesAnswered",
  "connections.messagesDropped",
]);

/** Whether the metric of this dotted name (`lostByCause.remapped`, `byClass.mobile.visits`) is a count. */
export function isCount(name: string): boolean {
  const own = name.replace(/^byClass\.[^.]+\./, "");
  return COUNTS.has(own) || own.startsWith("lostByCause.");
}

/** Timeline series that count (per window, or at its end); `loadSkew` and `serverUtilisation` are ratios. */
const COUNT_SERIES: ReadonlySet<string> = new Set(["requests", "failedRequests", "lostSessions", "serverRequests", "serverSessions", "serverSessionsHeld", "serverConnections"]);

export function isCountSeries(series: string): boolean {
  return COUNT_SERIES.has(series);
}
