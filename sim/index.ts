/** lbsim as a library: load a scenario, run it, get a serialisable Result. Nothing here prints. */
export { loadScenarioFile, loadScenarioDocument, parseScenario } from "./scenario/load.js";
export { InputError } from "./scenario/errors.js";
export { selectStrategies } from "./scenario/select.js";
export { describeScenario } from "./scenario/describe.js";
export type { Scenario, StrategyEntry } from "./scenario/scenario.js";
export { runScenario, runScenarios, resultOf, jobsOf, type RunOptions, type BatchOptions } from "./run.js";
export { simulate, type RunOutput } from "./model/simulation.js";
export type { Job } from "./parallel/run-jobs.js";
export { strategies, findStrategy } from "./strategies/index.js";
export type { Result, StrategyResult, Metrics, ConnectionMetrics, ClassMetrics } from "./metrics/result.js";
export { BudgetError, DEFAULT_BUDGET, describeEstimate, estimate, overBudget, scenarioWarnings, type Budget } from "./budget.js";
export { InvariantError } from "./engine/invariant.js";
export { storeKinds, findStore } from "./model/stores/index.js";
export { eventKinds, findEvent } from "./model/events/index.js";
