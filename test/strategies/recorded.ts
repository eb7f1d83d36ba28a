import { readFileSync } from "node:fs";

/** One recorded configuration of a real balancer and the backend it chose for each address. */
export interface RecordedCase {
  variant: string;
  servers: string[];
  weights: number[];
  down: number[];
  /** Chosen 0-based backend index per address of ips.txt, one base-36 digit each. */
  backends: string;
}

const dir = new URL("../fixtures/real-lb/", import.meta.url);

export const recordedAddresses: string[] = readFileSync(new URL("ips.txt", dir), "utf8").trim().split("\n");

export function recordedCases(strategy: string): RecordedCase[] {
  return JSON.parse(readFileSync(new URL(`${strategy}.json`, dir), "utf8")).cases;
}
