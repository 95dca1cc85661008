/**
 * CPU time of one synchronous call, for tests that bound how long a call may compute.
 *
 * `process.cpuUsage` counts every thread of the process, and V8 compiles and collects on helper threads
 * while a test's first calls run (in CI on Node 24, one call of 33 ms wall took 52 ms of the process's
 * CPU). Where Node can give this thread's CPU alone (`process.threadCpuUsage`, Node ≥ 23.9) that is the
 * figure; elsewhere it is the smaller of the process's CPU and the wall clock, both at least this
 * thread's CPU. So a loaded machine that keeps the test off the CPU does not count as a slow call.
 */
const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);

/** One call's CPU time in ms (see above), its wall-clock time in ms, and what it returned. */
export interface TimedCall<T> {
  cpuMs: number;
  wallMs: number;
  value: T;
}

/** Run `fn` once and measure it (see the module comment for which CPU time). */
export function timeCall<T>(fn: () => T): TimedCall<T> {
  const c0 = threadCpuUsage?.() ?? process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const c = threadCpuUsage ? threadCpuUsage() : process.cpuUsage();
  const used = (c.user - c0.user + c.system - c0.system) / 1000;
  return { cpuMs: threadCpuUsage ? used : Math.min(used, wallMs), wallMs, value };
}
