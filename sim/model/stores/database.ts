import { timeDistribution } from "../../scenario/fields.js";
import { defineStore } from "./define.js";
import { persistenceObject } from "./persistence.js";
import { capacityOptions, createSharedStore, sharedOptions } from "./shared.js";

/**
 * Sessions in a relational database: the shared-store model with a database's defaults, a preset
 * of lbsim's, not a measurement of any product: a 2 ms round trip per query (lognormal, cv 0.5),
 * a pool of 20 connections with 1 ms of work per query, and commits that are durable (a restart
 * loses nothing). Every option of the shared store can be set.
 */
export const databaseStore = defineStore({
  kind: "database",
  title: "database",
  summary: "Sessions in a relational database: the shared store with a database's slower queries, a connection pool and durable commits (a preset).",
  canFail: true,
  options: {
    ...sharedOptions,
    latency: timeDistribution.prefault({ dist: "lognormal", mean: "2ms", cv: 0.5 }).describe("One query's round trip (default lognormal, mean 2 ms, cv 0.5)."),
    capacity: capacityOptions.prefault({ connections: 20, opTime: 0.001 }).describe("The connection pool: queries at once and the work of one (default 20 and 1 ms)."),
    persistence: persistenceObject.prefault({ mode: "aof", fsync: "always" }).describe("What a restart keeps (default: every committed write)."),
  },
  create: createSharedStore,
});
