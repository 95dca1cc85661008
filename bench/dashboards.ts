/**
 * Dashboards on the local source at one million ledger records.
 *
 * Run: `node --import tsx bench/dashboards.ts [--rows 1000000] [--reps 3] [--ledger PATH]`
 *
 * 1. Writes a ledger of `--rows` records in the TRACKER-API line format (cached in the OS temp dir,
 *    deterministic), ~1% of them stale duplicates the dashboards must skip.
 * 2. Opens it as the `local` source (chDB parses it once into observations/traces) and times that.
 * 3. Runs every dashboard `--reps` times and prints min and median per query. Target: ≤ 2 s each.
 * 4. Peer, same file, same run: the cost-by-model aggregation in plain JS (stream the file, JSON.parse
 *    every line, keep the latest version per id, sum cost per model in integer pico-USD). Printed as
 *    ratios: end to end (chDB load + query vs JS parse + aggregate) and query only (chDB query vs JS
 *    aggregate over the already-parsed rows).
 */
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { listDashboardNames, loadChdb, openLocalSource, runDashboard } from '../src/dashboards/index.js';
import { header, median, report } from './util.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const ROWS = Number(arg('rows', '1000000'));
const REPS = Number(arg('reps', '3'));
const TARGET_MS = 2000;
const WINDOW = { from: '2026-10-01', to: '2026-11-01' };

const MODELS: [string, string, number, number, number][] = [
  // model, provider, input, cached input, output — USD per 1M tokens (bench facts only)
  ['gpt-4o-2024-08-06', 'openai', 2.5, 1.25, 10],
  ['gpt-4o-mini', 'openai', 0.15, 0.075, 0.6],
  ['claude-sonnet-4-5', 'anthropic', 3, 0.3, 15],
  ['claude-haiku-4-5', 'anthropic', 1, 0.1, 5],
  ['gemini-2.5-flash', 'google', 0.3, 0.075, 2.5],
  ['gemini-2.5-pro', 'google', 1.25, 0.31, 10],
  ['mistral-large-latest', 'mistral', 2, 2, 6],
  ['llama-3.3-70b-versatile', 'groq', 0.59, 0.59, 0.79],
];

/** A deterministic ledger of `rows` lines; returns its path. */
async function writeLedger(rows: number): Promise<string> {
  const path = join(tmpdir(), `langfuse-cost-bench-ledger-v1-${rows}.jsonl`);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const t0 = Date.parse('2026-10-01T00:00:00.000Z');
  const span = 31 * 86_400_000;
  let buf = '';
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let i = 0; i < rows; i++) {
    const stale = i % 100 === 99; // a stale earlier version of the previous record
    const n = stale ? i - 1 : i;
    const [model, provider, pin, pcache, pout] = MODELS[n % MODELS.length]!;
    const input = 200 + Math.floor(rnd() * 6000);
    const cached = n % 3 === 0 ? Math.floor(rnd() * 4000) : 0;
    const output = 20 + Math.floor(rnd() * 1500);
    const ci = Math.round(input * pin * 1e6);
    const cc = Math.round(cached * pcache * 1e6);
    const co = Math.round(output * pout * 1e6);
    const total = stale ? 1 : ci + cc + co;
    const start = t0 + Math.floor((n / rows) * span);
    const end = start + 400 + (n % 5000) - (stale ? 300 : 0);
    const error = n % 53 === 0;
    const usd = (p: number) => (p / 1e12).toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
    const cost = cached
      ? `{"input":${usd(ci)},"input_cached_tokens":${usd(cc)},"output":${usd(co)},"total":${usd(total)}}`
      : `{"input":${usd(ci)},"output":${usd(co)},"total":${usd(total)}}`;
    const usage = cached
      ? `{"input":${input},"input_cached_tokens":${cached},"output":${output},"total":${input + cached + output}}`
      : `{"input":${input},"output":${output},"total":${input + output}}`;
    buf +=
      `{"id":"obs-${n}","trace_id":"tr-${Math.floor(n / 3)}","parent_observation_id":null,"project_id":"local",` +
      `"type":"GENERATION","name":"${['chat', 'retrieve', 'summarize', 'agent-step'][n % 4]}","environment":"production",` +
      `"start_time":"${new Date(start).toISOString()}","end_time":"${new Date(end).toISOString()}",` +
      `"level":"${error ? 'ERROR' : 'DEFAULT'}","status_message":${error ? '"429 rate limited"' : 'null'},` +
      `"provided_model_name":"${model}","internal_model_id":"${model}","usage_details":${usage},` +
      `"cost_details":${cost},"provided_cost_details":{},"total_cost":${usd(total)},"cost_pico":${total},` +
      `"metadata":{},"session_id":"sess-${Math.floor(n / 30)}","user_id":"user-${n % 4999}",` +
      `"tenant_id":"tenant-${n % 37}","tags":["bench"],"provider":"${provider}","resolved_model":"${model}",` +
      `"source":"catalog","estimated":false,"tier":"standard","fallback":${n % 17 === 0},"service":null,` +
      `"duration_ms":${end - start},"status":"${error ? 'error' : 'success'}"}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((r, j) => {
    out.once('error', j);
    out.end(buf, () => r());
  });
  renameSync(tmp, path);
  return path;
}

/** Plain-JS peer: parse every line, keep the latest version per id, sum cost per model in pico. */
async function jsParse(
  path: string,
): Promise<{ id: string[]; model: string[]; end: number[]; pico: number[] }> {
  const cols = { id: [] as string[], model: [] as string[], end: [] as number[], pico: [] as number[] };
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (!line) continue;
    const r = JSON.parse(line) as {
      id: string;
      provided_model_name: string;
      end_time: string;
      cost_pico: number;
    };
    cols.id.push(r.id);
    cols.model.push(r.provided_model_name);
    cols.end.push(Date.parse(r.end_time));
    cols.pico.push(r.cost_pico);
  }
  return cols;
}

function jsCostByModel(c: {
  id: string[];
  model: string[];
  end: number[];
  pico: number[];
}): Map<string, number> {
  const latest = new Map<string, number>();
  for (let i = 0; i < c.id.length; i++) {
    const prev = latest.get(c.id[i]!);
    if (prev === undefined || c.end[prev]! < c.end[i]!) latest.set(c.id[i]!, i);
  }
  const sums = new Map<string, number>();
  for (const i of latest.values()) sums.set(c.model[i]!, (sums.get(c.model[i]!) ?? 0) + c.pico[i]!);
  return sums;
}

async function main(): Promise<void> {
  header('dashboards on the local ledger (chDB)');
  const t0 = performance.now();
  const path = arg('ledger', '') || (await writeLedger(ROWS));
  const mb = statSync(path).size / 1e6;
  const chdb = await loadChdb();
  console.log(
    `  ledger ${path}: ${ROWS.toLocaleString('en-US')} records, ${mb.toFixed(0)} MB (ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  ${cpus().length} CPUs (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}), chDB ${chdb.version().libchdb.replace(/"/g, '')}, ${REPS} runs per query: wall min / median, CPU median (all engine threads)`,
  );

  const tl = performance.now();
  const source = await openLocalSource({ ledger: path });
  const loadMs = performance.now() - tl;
  report('load ledger into chDB (parse once)', `${(loadMs / 1000).toFixed(2)} s`);

  const medians: Record<string, number> = {};
  let worst = 0;
  for (const name of listDashboardNames()) {
    const times: number[] = [];
    const cpu: number[] = [];
    let rows = 0;
    for (let r = 0; r < REPS; r++) {
      const c0 = process.cpuUsage();
      const res = await runDashboard(source, name, { params: { ...WINDOW, budget: '300' } });
      const c = process.cpuUsage(c0);
      times.push(res.elapsedMs);
      cpu.push((c.user + c.system) / 1000);
      rows = res.rows.length;
    }
    const med = median(times);
    medians[name] = med;
    worst = Math.max(worst, med);
    report(
      `${name} (${rows} rows)`,
      `${Math.min(...times).toFixed(0)} / ${med.toFixed(0)} ms  cpu ${median(cpu).toFixed(0)} ms`,
      `≤ ${TARGET_MS} ms`,
      med <= TARGET_MS,
    );
  }
  const byModelMs = medians['cost-by-model']!;
  const chdbRows = (await runDashboard(source, 'cost-by-model', { params: WINDOW })).rows;
  await source.close();

  const tp = performance.now();
  const cols = await jsParse(path);
  const parseMs = performance.now() - tp;
  const aggTimes: number[] = [];
  let sums = new Map<string, number>();
  for (let r = 0; r < REPS; r++) {
    const ta = performance.now();
    sums = jsCostByModel(cols);
    aggTimes.push(performance.now() - ta);
  }
  const aggMs = median(aggTimes);
  // Same answer both ways, to the pico.
  for (const row of chdbRows) {
    const js = sums.get(row.model as string) ?? 0;
    if (Math.round((row.cost_usd as number) * 1e12) !== js)
      throw new Error(`mismatch for ${row.model}: ${row.cost_usd} vs ${js}`);
  }
  console.log(
    '  peer: plain JS over the same file (JSON.parse per line, latest version per id, sum per model)',
  );
  report('JS parse of the ledger', `${(parseMs / 1000).toFixed(2)} s`);
  report('JS cost-by-model over parsed rows', `${aggMs.toFixed(0)} ms`);
  report(
    'end to end: chDB (load + cost-by-model) vs JS',
    `${((loadMs + byModelMs) / (parseMs + aggMs)).toFixed(2)}× the JS time`,
  );
  report(
    'query only: chDB cost-by-model vs JS aggregation',
    `${(byModelMs / aggMs).toFixed(2)}× the JS time`,
  );
  report('every dashboard', `worst median ${worst.toFixed(0)} ms`, `≤ ${TARGET_MS} ms`, worst <= TARGET_MS);
  console.log(
    `  load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (other processes share the CPUs)`,
  );
}

await main();
