export { parseVary, gridPoints, pointOverrides, describePoint, MAX_GRID_POINTS, type Vary, type GridPoint } from "./grid.js";
export { sweepResult, type SweepResult, type SweepPoint, type SweepBase } from "./sweep-result.js";
