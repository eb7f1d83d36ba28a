import type { MessagePort } from "node:worker_threads";
import { runTask, type RunTask, type RunTaskResult } from "./run-task.js";

/** Share of a run between progress messages: the main thread's display needs no finer. */
const STEP = 0.01;

/** A worker thread's task (a piscina worker module): one run, its progress posted on `port`. */
export default function run({ task, port }: { task: RunTask; port: MessagePort }): RunTaskResult {
  let posted = 0;
  try {
    return runTask(task, (done) => {
      if (done - posted < STEP) return;
      posted = done;
      port.postMessage(done);
    });
  } finally {
    port.close();
  }
}
