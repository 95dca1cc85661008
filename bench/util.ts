/** Shared helpers for the benchmark scripts: timing, medians and printing. */

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Run `fn(i)` in `batches` batches of `batchSize` calls and return the median per-call time in ns.
 * Batching keeps timer overhead out of sub-microsecond measurements.
 */
export function nsPerCall(fn: (i: number) => void, batchSize: number, batches: number): number {
  for (let i = 0; i < batchSize; i++) fn(i); // warm-up
  const per: number[] = [];
  let k = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batchSize; i++) fn(k++);
    per.push(Number(process.hrtime.bigint() - t0) / batchSize);
  }
  return median(per);
}

/**
 * Time several functions in alternating batches (`rounds` rounds, each running every function for its
 * batch size) and return each one's median per-call time in ns. Alternating keeps a slow patch of a
 * shared, noisy machine from landing on one side of a ratio only.
 */
export function nsPerCallInterleaved(
  cases: { fn: (i: number) => void; batchSize: number }[],
  rounds: number,
): number[] {
  for (const c of cases) for (let i = 0; i < c.batchSize; i++) c.fn(i); // warm-up
  const per = cases.map(() => [] as number[]);
  const ks = cases.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, j) => {
      // Start each batch on a collected heap (when run with --expose-gc), so neither side pays for
      // garbage or incremental marking the other one left behind.
      (globalThis as { gc?: () => void }).gc?.();
      let k = ks[j]!;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < c.batchSize; i++) c.fn(k++);
      per[j]!.push(Number(process.hrtime.bigint() - t0) / c.batchSize);
      ks[j] = k;
    });
  }
  return per.map(median);
}

/** Format nanoseconds for people. */
export function fmtNs(ns: number): string {
  if (ns < 1000) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

/** Print a header line for a benchmark. */
export function header(title: string): void {
  console.log(`\n=== ${title} (node ${process.version}, ${new Date().toISOString()}) ===`);
}

/** Print `label: value  (target …) ✔/✘`. */
export function report(label: string, value: string, target?: string, ok?: boolean): void {
  const mark = ok === undefined ? '' : ok ? '  ✔' : '  ✘ over target';
  console.log(`  ${label.padEnd(52)} ${value.padStart(14)}${target ? `   target ${target}` : ''}${mark}`);
}

/** Median and range of a figure measured over several runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** The median and range of `xs` (one value per run). */
export function spread(xs: number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** `1.23 µs (1.10–1.40, 5 runs)` for a spread of µs values. */
export function fmtSpread(s: Spread, unit = 'µs', digits = 2): string {
  return `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, ${s.runs} runs)`;
}
