import { resolve } from 'node:path';
import {
  diffModelDefinitions,
  type LangfuseModel,
  type ModelDefinitionDiff,
} from '../../langfuse/model-definitions.js';
import { LangfusePublicApi } from '../../langfuse/public-api.js';
import { applyLangfuseReprice, planLangfuseReprice, type RepricePlan } from '../../langfuse/reprice.js';
import { getNodeCatalog } from '../../node/default-catalog.js';
import { listLedgerFiles } from '../../node/ledger/files.js';
import { readLedger } from '../../node/ledger/read.js';
import { type RepriceLedgerResult, repriceLedger } from '../../node/sync/reprice-ledger.js';
import type { PriceCatalog } from '../../pricing/catalog.js';
import { formatUsd, picoToUsd } from '../../pricing/money.js';
import type { CatalogModel } from '../../pricing/types.js';
import { TIME_SYNTAX } from '../../tracker/time-syntax.js';
import { type ParsedArgs, parseArgs, strFlag } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { CliError } from '../command.js';
import { calendarFlag, timeWindow, windowHelp } from '../time-window.js';

const USAGE = `langfuse-cost langfuse — keep Langfuse's model prices and past costs in step with ours

Usage:
  langfuse-cost langfuse models diff [--models a,b | --ledger PATH] [--json]
        Compare the Langfuse project's model definitions (GET /api/public/models) with our prices,
        for the models you use (from --models, else from the local ledger).
  langfuse-cost langfuse models push [--models a,b | --ledger PATH] [--dry-run] [--keep-existing]
        Create project model definitions (POST /api/public/models) for the missing and different
        ones: match pattern from our resolver, prices per usage key, pricing tiers. A project
        definition with the same model name is deleted after its replacement is created, unless
        --keep-existing.
  langfuse-cost langfuse reprice --from <time> [--to <time>] [--tz ZONE] [--dry-run] [--ledger PATH]
        Recompute the cost of past generations with the current prices and send the corrected
        cost to Langfuse as generation-update events of the same observations; re-price the local
        ledger the same way (written atomically, old file kept as <ledger>.bak-<time>).
        Options: --skip-langfuse, --skip-ledger, --no-annotate, --no-backup, --allow-estimated, --json.

Credentials: LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL (or LANGFUSE_HOST).
Times of reprice, the same as in every command (reprice needs --from):
${windowHelp(18)}
  --tz ZONE       IANA time zone of dates and times without an offset (default: LANGFUSE_COST_TIMEZONE,
                  else UTC)

See docs/langfuse-admin.md.
`;

function api(io: CliIO): LangfusePublicApi {
  try {
    return LangfusePublicApi.fromEnv(io.env);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

function ledgerPath(args: ParsedArgs, io: CliIO): { path: string; explicit: boolean } | null {
  const given = strFlag(args, 'ledger');
  if (given) return { path: resolve(io.cwd, given), explicit: true };
  const env = io.env.LANGFUSE_COST_LEDGER?.trim();
  if (env === 'off') return null;
  return { path: resolve(io.cwd, env || '.langfuse-cost/ledger.jsonl'), explicit: false };
}

/** Distinct (model, provider) pairs of a ledger (rotated files included), in order of first use. */
async function modelsInLedger(path: string): Promise<{ name: string; provider?: string }[]> {
  const seen = new Map<string, { name: string; provider?: string }>();
  for await (const line of readLedger(path, { onWarning: () => {} })) {
    const name = line.provided_model_name;
    if (typeof name !== 'string' || name === '') continue;
    const provider = typeof line.provider === 'string' && line.provider !== '' ? line.provider : undefined;
    const key = `${provider ?? ''}\u0000${name}`;
    if (!seen.has(key)) seen.set(key, { name, ...(provider ? { provider } : {}) });
  }
  return [...seen.values()];
}

async function usedModels(
  args: ParsedArgs,
  io: CliIO,
  catalog: PriceCatalog,
): Promise<{ used: { model: CatalogModel; names: string[] }[]; unknown: string[] }> {
  let names: { name: string; provider?: string }[];
  const list = strFlag(args, 'models');
  if (list) {
    names = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((name) => ({ name }));
  } else {
    const ledger = ledgerPath(args, io);
    if (!ledger || listLedgerFiles(ledger.path).length === 0) {
      throw new CliError(
        `no models to compare: pass --models a,b or --ledger PATH${ledger ? ` (no ledger at ${ledger.path})` : ''}`,
        2,
      );
    }
    names = await modelsInLedger(ledger.path);
  }
  const groups = new Map<string, { model: CatalogModel; names: string[] }>();
  const unknown: string[] = [];
  for (const n of names) {
    const r = catalog.resolve(n.name, n.provider);
    if (!r || r.free) {
      if (!r) unknown.push(n.name);
      continue;
    }
    const key = `${r.group.provider}/${r.group.id}`;
    const g = groups.get(key) ?? { model: r.model, names: [] };
    if (!g.names.includes(n.name)) g.names.push(n.name);
    groups.set(key, g);
  }
  return { used: [...groups.values()], unknown };
}

function describeDiff(d: ModelDefinitionDiff): string[] {
  const cur = d.current
    ? `  current: ${d.current.modelName}${d.current.isLangfuseManaged ? ' (Langfuse-managed)' : ' (project)'}`
    : '';
  const out = [
    `  ${d.status.padEnd(9)} ${d.model.provider}/${d.model.id}  names: ${d.names.join(', ')}${cur}`,
  ];
  if (d.status !== 'same') for (const line of d.differences) out.push(`              ${line}`);
  return out;
}

async function loadDiff(args: ParsedArgs, io: CliIO) {
  const catalog = getNodeCatalog({ env: io.env, cwd: io.cwd });
  const { used, unknown } = await usedModels(args, io, catalog);
  const client = api(io);
  const remote = await client.listAllModels<LangfuseModel>();
  const diffs = diffModelDefinitions(used, remote, { catalog });
  return { client, diffs, unknown, remote };
}

async function runModelsDiff(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], known: ['models', 'ledger'] });
  const { diffs, unknown, client } = await loadDiff(args, io);
  if (args.flags.json === true) {
    io.stdout.write(`${JSON.stringify({ baseUrl: client.baseUrl, models: diffs, unknown }, null, 2)}\n`);
    return 0;
  }
  const out = [
    `Langfuse model definitions at ${client.baseUrl} vs langfuse-cost prices (${diffs.length} models used)`,
  ];
  for (const d of diffs) out.push(...describeDiff(d));
  if (unknown.length > 0) out.push(`  not in our catalog (left alone): ${unknown.join(', ')}`);
  const todo = diffs.filter((d) => d.status !== 'same').length;
  out.push(
    todo > 0
      ? `Run \`langfuse-cost langfuse models push\` to create ${todo} definition(s).`
      : 'Langfuse prices these models as we do.',
  );
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function runModelsPush(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['dry-run', 'keep-existing', 'json'],
    known: ['models', 'ledger'],
  });
  const { diffs, client } = await loadDiff(args, io);
  const todo = diffs.filter((d) => d.status !== 'same');
  const dry = args.flags['dry-run'] === true;
  const keep = args.flags['keep-existing'] === true;
  const report: { model: string; action: string; id?: string; deleted?: string[]; error?: string }[] = [];
  let failed = 0;
  for (const d of todo) {
    const name = d.desired.modelName;
    if (dry) {
      report.push({
        model: name,
        action: 'would create',
        ...(keep ? {} : { deleted: d.replaces.map((r) => r.id) }),
      });
      continue;
    }
    try {
      const created = await client.createModel<LangfuseModel>(d.desired);
      const deleted: string[] = [];
      if (!keep) {
        for (const old of d.replaces) {
          if (old.id === created?.id) continue;
          await client.deleteModel(old.id);
          deleted.push(old.id);
        }
      }
      report.push({ model: name, action: 'created', ...(created?.id ? { id: created.id } : {}), deleted });
    } catch (err) {
      failed++;
      report.push({ model: name, action: 'failed', error: (err as Error).message });
    }
  }
  if (args.flags.json === true) {
    io.stdout.write(
      `${JSON.stringify({ dryRun: dry, results: report, definitions: todo.map((d) => d.desired) }, null, 2)}\n`,
    );
  } else {
    const out = [
      `${dry ? 'Dry run: would push' : 'Pushing'} ${todo.length} model definition(s) to ${client.baseUrl}`,
    ];
    for (const r of report) {
      const del =
        r.deleted && r.deleted.length > 0
          ? `; ${dry ? 'would delete' : 'deleted'} old project definition ${r.deleted.join(', ')}`
          : '';
      out.push(
        `  ${r.action} ${r.model}${r.id ? ` (id ${r.id})` : ''}${del}${r.error ? `: ${r.error}` : ''}`,
      );
    }
    if (todo.length === 0) out.push('  nothing to do: Langfuse prices these models as we do');
    io.stdout.write(`${out.join('\n')}\n`);
  }
  return failed > 0 ? 1 : 0;
}

function usd(pico: bigint): string {
  return formatUsd(picoToUsd(pico));
}

function describePlan(plan: RepricePlan, dry: boolean): string[] {
  const out = [
    `  ${plan.scanned} generations scanned: ${plan.changes.length} to correct, ${plan.unchanged} already right, ${plan.skipped.length} left alone`,
  ];
  if (plan.changes.length > 0) {
    out.push(`  total of the corrected generations: ${usd(plan.oldTotalPico)} → ${usd(plan.newTotalPico)}`);
    const byModel = new Map<string, { n: number; old: bigint; new: bigint }>();
    for (const c of plan.changes) {
      const m = byModel.get(c.model) ?? { n: 0, old: 0n, new: 0n };
      m.n++;
      m.old += BigInt(Math.round((c.oldTotal ?? 0) * 1e12));
      m.new += BigInt(c.result.totalPico);
      byModel.set(c.model, m);
    }
    for (const [model, m] of byModel) out.push(`    ${model}: ${m.n} × — ${usd(m.old)} → ${usd(m.new)}`);
  }
  const reasons = new Map<string, number>();
  for (const s of plan.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  for (const [reason, n] of reasons) out.push(`    left alone: ${n} (${reason})`);
  if (dry && plan.changes.length > 0) out.push('  Dry run: nothing was sent.');
  return out;
}

function describeLedger(r: RepriceLedgerResult, dry: boolean): string[] {
  const files = r.files.length > 1 ? `, ${r.files.length} files` : '';
  const out = [`  ${r.inRange} calls in range (${r.lines} lines${files}): ${r.changed} re-priced`];
  if (r.changed > 0) {
    out.push(`  total of the re-priced calls: ${usd(r.oldTotalPico)} → ${usd(r.newTotalPico)}`);
    for (const [model, m] of Object.entries(r.byModel))
      out.push(`    ${model}: ${m.count} × — ${usd(m.oldPico)} → ${usd(m.newPico)}`);
  }
  for (const [reason, n] of Object.entries(r.skipped)) out.push(`    left alone: ${n} (${reason})`);
  for (const f of r.written) out.push(`  Rewrote ${f}.`);
  for (const b of r.backups) out.push(`  Previous version kept at ${b}.`);
  if (dry && r.changed > 0) out.push('  Dry run: the ledger was not changed.');
  return out;
}

async function runReprice(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    booleans: [
      'dry-run',
      'skip-langfuse',
      'skip-ledger',
      'no-annotate',
      'no-backup',
      'allow-estimated',
      'json',
    ],
    known: ['from', 'to', 'tz', 'ledger'],
  });
  const fromText = strFlag(args, 'from');
  const toText = strFlag(args, 'to');
  if (fromText === undefined) throw new CliError(`--from TIME is required; TIME is ${TIME_SYNTAX}`, 2);
  const window = timeWindow(
    { from: fromText, ...(toText !== undefined ? { to: toText } : {}) },
    calendarFlag(args, io.env.LANGFUSE_COST_TIMEZONE),
    Date.now(),
  );
  const from = new Date(window.from!).toISOString();
  const to = new Date(window.to).toISOString();
  const dry = args.flags['dry-run'] === true;
  const annotate = args.flags['no-annotate'] !== true;
  const allowEstimated = args.flags['allow-estimated'] === true;
  const catalog = getNodeCatalog({ env: io.env, cwd: io.cwd });
  const json: Record<string, unknown> = { from, to, dryRun: dry };
  const out: string[] = [];
  let status = 0;

  if (args.flags['skip-langfuse'] !== true) {
    const client = api(io);
    out.push(`Langfuse (${client.baseUrl}), generations started ${from} … ${to}:`);
    const plan = await planLangfuseReprice(client, { from, to }, { catalog, allowEstimated });
    out.push(...describePlan(plan, dry));
    const jl: Record<string, unknown> = {
      scanned: plan.scanned,
      changes: plan.changes.map((c) => ({
        id: c.id,
        model: c.model,
        oldTotal: c.oldTotal,
        newTotal: c.result.total,
        costDetails: c.newCostDetails,
      })),
      unchanged: plan.unchanged,
      skipped: plan.skipped,
    };
    if (!dry && plan.changes.length > 0) {
      const outcome = await applyLangfuseReprice(client, plan.changes, { annotate });
      jl.outcome = outcome;
      out.push(
        `  sent ${outcome.sent} generation-update events: ${outcome.accepted} accepted, ${outcome.rejected.length} rejected`,
      );
      for (const r of outcome.rejected.slice(0, 20))
        out.push(`    rejected ${r.observationId}: ${r.status ? `HTTP ${r.status} ` : ''}${r.message}`);
      if (outcome.rejected.length > 0) {
        status = 1;
        out.push(
          '  Langfuse v4 in events_only write mode (and Langfuse Cloud since 2026-11-16) rejects observation updates on the ingestion API; see docs/langfuse-admin.md.',
        );
      }
    }
    json.langfuse = jl;
  }

  if (args.flags['skip-ledger'] !== true) {
    const ledger = ledgerPath(args, io);
    if (ledger && listLedgerFiles(ledger.path).length > 0) {
      out.push(`Local ledger ${ledger.path}:`);
      const r = await repriceLedger({
        path: ledger.path,
        from,
        to,
        catalog,
        dryRun: dry,
        annotate,
        backup: args.flags['no-backup'] !== true,
        allowEstimated,
      });
      out.push(...describeLedger(r, dry));
      json.ledger = {
        ...r,
        oldTotalPico: r.oldTotalPico.toString(),
        newTotalPico: r.newTotalPico.toString(),
        byModel: Object.fromEntries(
          Object.entries(r.byModel).map(([k, v]) => [
            k,
            { count: v.count, oldPico: v.oldPico.toString(), newPico: v.newPico.toString() },
          ]),
        ),
      };
    } else if (ledger?.explicit) {
      throw new CliError(`no ledger at ${ledger.path}`, 2);
    } else {
      out.push(`Local ledger: none${ledger ? ` at ${ledger.path}` : ' (LANGFUSE_COST_LEDGER=off)'}.`);
    }
  }
  io.stdout.write(args.flags.json === true ? `${JSON.stringify(json, null, 2)}\n` : `${out.join('\n')}\n`);
  return status;
}

/** `langfuse-cost langfuse models diff|push` and `langfuse-cost langfuse reprice`. */
export const command: CliCommand = {
  name: 'langfuse',
  summary: 'keep Langfuse model definitions and past costs in step',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'models') {
      const [action, ...more] = rest;
      if (action === 'diff') return runModelsDiff(more, io);
      if (action === 'push') return runModelsPush(more, io);
      throw new CliError('use "langfuse models diff" or "langfuse models push"', 2);
    }
    if (sub === 'reprice') return runReprice(rest, io);
    io.stderr.write(USAGE);
    return 2;
  },
};
