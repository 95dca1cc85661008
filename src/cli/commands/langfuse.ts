import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { boundParamTime } from '../../dashboards/params.js';
import {
  capabilitiesFromListing,
  capabilitiesOfVersion,
  diffModelDefinitions,
  type LangfuseModel,
  type LangfuseServerCapabilities,
  type ModelDefinitionDiff,
  recreateBody,
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
  langfuse-cost langfuse models diff [--models a,b | --ledger PATH] [--server-version X.Y.Z] [--json]
        Compare the Langfuse project's model definitions (GET /api/public/models) with our prices,
        for the models you use (from --models, else from the local ledger), as far as the server's
        version can hold them; the definition compared is the one Langfuse would apply.
  langfuse-cost langfuse models push [--models a,b | --ledger PATH] [--dry-run] [--keep-existing]
                                     [--server-version X.Y.Z] [--backup-dir DIR] [--json]
        Create project model definitions (POST /api/public/models) for the missing and different
        ones: match pattern from our resolver, prices per usage key, pricing tiers — as far as the
        server's version accepts them (GET /api/public/health; --server-version overrides). A project
        definition with the same model name is replaced: on Langfuse >= 3.135, which allows one per
        name, it is saved to DIR (default .langfuse-cost), deleted, then created anew, and put back
        if the create fails. --keep-existing leaves such definitions alone. --dry-run prints the
        exact requests and sends none.
  langfuse-cost langfuse models restore FILE [--dry-run] [--json]
        Re-create the definitions saved in a backup file written by push.
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

/** The server's capabilities and where they were learnt. */
type ServerInfo = LangfuseServerCapabilities & { source: 'flag' | 'health' | 'listing' | 'assumed' };

const PRICING_LABEL: Record<LangfuseServerCapabilities['pricing'], string> = {
  flat: 'flat input/output prices only',
  'usage-tiers': 'pricing tiers on usage',
  'model-parameter-tiers': 'pricing tiers on usage and model parameters',
};

function describeServer(s: ServerInfo): string {
  const from =
    s.source === 'flag'
      ? '--server-version'
      : s.source === 'health'
        ? 'GET /api/public/health'
        : s.source === 'listing'
          ? 'the shape of its model list'
          : 'assumed: the version is unknown';
  return `Langfuse ${s.version ?? 'version unknown'}, ${PRICING_LABEL[s.pricing]} (${from})`;
}

/**
 * What the server accepts: `--server-version`, else the version `GET /api/public/health` reports, else
 * the shape of the model list. With no signal, push refuses to guess (a wrong guess creates unpriced
 * or refused definitions); diff assumes the newest server and says so.
 */
async function detectServer(
  args: ParsedArgs,
  client: LangfusePublicApi,
  listing: () => Promise<LangfuseModel[]>,
  required: boolean,
): Promise<{ server: ServerInfo; remote: LangfuseModel[] }> {
  const given = strFlag(args, 'server-version');
  if (given !== undefined) {
    const c = capabilitiesOfVersion(given);
    if (!c) throw new CliError(`--server-version ${given}: expected a Langfuse version such as 4.13.0`, 2);
    return { server: { ...c, source: 'flag' }, remote: await listing() };
  }
  const health = await client.health();
  const remote = await listing();
  const fromHealth = health ? capabilitiesOfVersion(health.version) : null;
  if (fromHealth) return { server: { ...fromHealth, source: 'health' }, remote };
  const fromListing = capabilitiesFromListing(remote);
  if (fromListing) return { server: { ...fromListing, source: 'listing' }, remote };
  if (required)
    throw new CliError(
      `cannot tell which Langfuse version runs at ${client.baseUrl}: GET /api/public/health reported none and the model list is empty. Pass --server-version X.Y.Z (see docs/langfuse-admin.md).`,
      2,
    );
  return {
    server: { version: null, pricing: 'model-parameter-tiers', uniqueModelNames: true, source: 'assumed' },
    remote,
  };
}

function describeDiff(d: ModelDefinitionDiff): string[] {
  const cur = d.current
    ? `  current: ${d.current.modelName}${d.current.isLangfuseManaged ? ' (Langfuse-managed)' : ' (project)'}`
    : '';
  const out = [
    `  ${d.status.padEnd(9)} ${d.model.provider}/${d.model.id}  names: ${d.names.join(', ')}${cur}`,
  ];
  if (d.status !== 'same') for (const line of d.differences) out.push(`              ${line}`);
  for (const line of d.dropped) out.push(`              not pushable to this server: ${line}`);
  return out;
}

async function loadDiff(args: ParsedArgs, io: CliIO, requireVersion: boolean) {
  const catalog = getNodeCatalog({ env: io.env, cwd: io.cwd });
  const { used, unknown } = await usedModels(args, io, catalog);
  const client = api(io);
  const { server, remote } = await detectServer(
    args,
    client,
    () => client.listAllModels<LangfuseModel>(),
    requireVersion,
  );
  const diffs = diffModelDefinitions(used, remote, { catalog, capabilities: server });
  return { client, diffs, unknown, remote, server };
}

async function runModelsDiff(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], known: ['models', 'ledger', 'server-version'] });
  const { diffs, unknown, client, server } = await loadDiff(args, io, false);
  if (args.flags.json === true) {
    io.stdout.write(
      `${JSON.stringify({ baseUrl: client.baseUrl, server, models: diffs, unknown }, null, 2)}\n`,
    );
    return 0;
  }
  const out = [
    `Langfuse model definitions at ${client.baseUrl} vs langfuse-cost prices (${diffs.length} models used)`,
    `  ${describeServer(server)}`,
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

/** One request of a push, as sent. */
interface PushRequest {
  method: 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

const MODELS_PATH = '/api/public/models';
const modelPath = (id: string) => `${MODELS_PATH}/${encodeURIComponent(id)}`;

/** What push does for one model, in order. */
interface PushPlan {
  diff: ModelDefinitionDiff;
  /** Left alone: a same-name definition exists and --keep-existing was given. */
  kept: boolean;
  /** Project definitions deleted (their copy is saved first). */
  deletes: LangfuseModel[];
  /** Delete before create (servers that allow one definition per name), else after. */
  deleteFirst: boolean;
}

function planPush(todo: ModelDefinitionDiff[], server: ServerInfo, keep: boolean): PushPlan[] {
  return todo.map((d) => {
    const kept = keep && server.uniqueModelNames && d.replaces.length > 0;
    return { diff: d, kept, deletes: keep ? [] : d.replaces, deleteFirst: server.uniqueModelNames };
  });
}

function requestsOf(p: PushPlan): PushRequest[] {
  if (p.kept) return [];
  const dels = p.deletes.map((old): PushRequest => ({ method: 'DELETE', path: modelPath(old.id) }));
  const post: PushRequest = { method: 'POST', path: MODELS_PATH, body: p.diff.body };
  return p.deleteFirst ? [...dels, post] : [post, ...dels];
}

/** Save the definitions about to be deleted; nothing is deleted unless this succeeded. */
async function saveBackup(
  dir: string,
  baseUrl: string,
  server: ServerInfo,
  definitions: LangfuseModel[],
): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `langfuse-models-${stamp}.json`);
  try {
    await mkdir(dir, { recursive: true });
    const doc = { baseUrl, savedAt: new Date().toISOString(), server, definitions };
    await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`, { flag: 'wx' });
  } catch (err) {
    throw new CliError(
      `cannot keep a copy of the definitions to replace at ${path} (${(err as Error).message}); nothing was changed. Pass --backup-dir DIR.`,
      1,
    );
  }
  return path;
}

interface PushResult {
  model: string;
  action: 'created' | 'kept' | 'failed' | 'would create';
  id?: string;
  replaced?: string[];
  restored?: { id: string; as?: string; error?: string }[];
  dropped?: string[];
  error?: string;
}

async function executePlan(client: LangfusePublicApi, p: PushPlan): Promise<PushResult> {
  const name = p.diff.body.modelName;
  const base = { model: name, ...(p.diff.dropped.length > 0 ? { dropped: p.diff.dropped } : {}) };
  if (p.kept) return { ...base, action: 'kept' };
  const deleted: LangfuseModel[] = [];
  const putBack = async (): Promise<PushResult['restored']> => {
    const out: NonNullable<PushResult['restored']> = [];
    for (const old of deleted) {
      try {
        const again = await client.createModel<LangfuseModel>(recreateBody(old));
        out.push({ id: old.id, ...(again?.id ? { as: again.id } : {}) });
      } catch (err) {
        out.push({ id: old.id, error: (err as Error).message });
      }
    }
    return out;
  };
  if (p.deleteFirst) {
    for (const old of p.deletes) {
      try {
        await client.deleteModel(old.id);
        deleted.push(old);
      } catch (err) {
        return { ...base, action: 'failed', error: (err as Error).message, restored: await putBack() };
      }
    }
  }
  let created: LangfuseModel;
  try {
    created = await client.createModel<LangfuseModel>(p.diff.body);
  } catch (err) {
    return { ...base, action: 'failed', error: (err as Error).message, restored: await putBack() };
  }
  const replaced = deleted.map((d) => d.id);
  if (!p.deleteFirst) {
    // Older servers allow several definitions per name: the new one exists before the old goes.
    for (const old of p.deletes) {
      if (old.id === created?.id) continue;
      try {
        await client.deleteModel(old.id);
        replaced.push(old.id);
      } catch (err) {
        return {
          ...base,
          action: 'failed',
          id: created?.id,
          error: `created, but ${(err as Error).message}`,
        };
      }
    }
  }
  return { ...base, action: 'created', ...(created?.id ? { id: created.id } : {}), replaced };
}

function describePush(r: PushResult): string[] {
  const out: string[] = [];
  const replacing = r.replaced && r.replaced.length > 0 ? `, replacing ${r.replaced.join(', ')}` : '';
  if (r.action === 'created') out.push(`  created ${r.model}${r.id ? ` (id ${r.id})` : ''}${replacing}`);
  else if (r.action === 'kept')
    out.push(
      `  kept ${r.model}: the project already has a definition with this name (--keep-existing); not pushed`,
    );
  else if (r.action === 'failed') {
    out.push(`  failed ${r.model}: ${r.error}`);
    for (const x of r.restored ?? [])
      out.push(
        x.error
          ? `    could not put back ${x.id}: ${x.error}`
          : `    put back ${x.id} as it was${x.as ? ` (new id ${x.as})` : ''}`,
      );
  }
  for (const d of r.dropped ?? []) out.push(`    not pushed: ${d}`);
  return out;
}

async function runModelsPush(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['dry-run', 'keep-existing', 'json'],
    known: ['models', 'ledger', 'server-version', 'backup-dir'],
  });
  const { diffs, client, server } = await loadDiff(args, io, true);
  const dry = args.flags['dry-run'] === true;
  const plans = planPush(
    diffs.filter((d) => d.status !== 'same'),
    server,
    args.flags['keep-existing'] === true,
  );
  const requests = plans.flatMap(requestsOf);
  const json = args.flags.json === true;
  const header = `${dry ? 'Dry run: would push' : 'Pushing'} ${plans.filter((p) => !p.kept).length} model definition(s) to ${client.baseUrl}`;
  const lines = [header, `  ${describeServer(server)}`];

  if (dry) {
    for (const p of plans) {
      const name = p.diff.body.modelName;
      if (p.kept) lines.push(...describePush({ model: name, action: 'kept' }));
      else if (p.deletes.length > 0)
        lines.push(
          `  ${name}: replaces project definition ${p.deletes.map((d) => d.id).join(', ')} (${p.deleteFirst ? 'saved to a backup file, deleted, then created anew' : 'created, then the old one deleted'})`,
        );
      for (const d of p.diff.dropped) lines.push(`    not pushed: ${d}`);
    }
    if (requests.length === 0) lines.push('  nothing to do: Langfuse prices these models as we do');
    else {
      lines.push('  Requests, in order (none sent):');
      for (const r of requests)
        lines.push(`    ${r.method} ${r.path}${r.body !== undefined ? ` ${JSON.stringify(r.body)}` : ''}`);
    }
    io.stdout.write(
      json
        ? `${JSON.stringify({ dryRun: true, baseUrl: client.baseUrl, server, requests, models: plans.map((p) => ({ model: p.diff.body.modelName, kept: p.kept, replaces: p.deletes.map((d) => d.id), dropped: p.diff.dropped })) }, null, 2)}\n`
        : `${lines.join('\n')}\n`,
    );
    return 0;
  }

  const toDelete = plans.flatMap((p) => (p.kept ? [] : p.deletes));
  const backup =
    toDelete.length > 0
      ? await saveBackup(
          resolve(io.cwd, strFlag(args, 'backup-dir') ?? '.langfuse-cost'),
          client.baseUrl,
          server,
          toDelete,
        )
      : null;
  const results: PushResult[] = [];
  for (const p of plans) results.push(await executePlan(client, p));
  const failed = results.filter((r) => r.action === 'failed').length;
  for (const r of results) lines.push(...describePush(r));
  if (plans.length === 0) lines.push('  nothing to do: Langfuse prices these models as we do');
  if (backup)
    lines.push(
      `  The replaced definitions are saved in ${backup}; to put them back: langfuse-cost langfuse models restore ${backup}`,
    );
  io.stdout.write(
    json
      ? `${JSON.stringify({ dryRun: false, baseUrl: client.baseUrl, server, backup, results, requests }, null, 2)}\n`
      : `${lines.join('\n')}\n`,
  );
  return failed > 0 ? 1 : 0;
}

async function runModelsRestore(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { booleans: ['dry-run', 'json'], known: [] });
  const file = args.positionals[0];
  if (!file)
    throw new CliError(
      'usage: langfuse-cost langfuse models restore FILE (a backup file written by push)',
      2,
    );
  let definitions: LangfuseModel[];
  try {
    const doc = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8')) as { definitions?: unknown };
    if (!Array.isArray(doc.definitions)) throw new Error('no "definitions" list');
    definitions = doc.definitions as LangfuseModel[];
  } catch (err) {
    throw new CliError(`${file} is not a backup file written by push: ${(err as Error).message}`, 2);
  }
  const client = api(io);
  const dry = args.flags['dry-run'] === true;
  const requests = definitions.map((d) => ({ method: 'POST', path: MODELS_PATH, body: recreateBody(d) }));
  const lines = [
    `${dry ? 'Dry run: would restore' : 'Restoring'} ${definitions.length} definition(s) to ${client.baseUrl}`,
  ];
  const results: { model: string; id?: string; error?: string }[] = [];
  if (dry) for (const r of requests) lines.push(`    POST ${r.path} ${JSON.stringify(r.body)}`);
  else
    for (const r of requests) {
      const model = String((r.body as { modelName: unknown }).modelName);
      try {
        const created = await client.createModel<LangfuseModel>(r.body);
        results.push({ model, ...(created?.id ? { id: created.id } : {}) });
        lines.push(`  restored ${model}${created?.id ? ` (id ${created.id})` : ''}`);
      } catch (err) {
        const message = (err as Error).message;
        results.push({ model, error: message });
        lines.push(
          `  failed ${model}: ${message}${/already exists/.test(message) ? ' — delete the current definition with this name first (Langfuse allows one per name)' : ''}`,
        );
      }
    }
  io.stdout.write(
    args.flags.json === true
      ? `${JSON.stringify({ dryRun: dry, requests, results }, null, 2)}\n`
      : `${lines.join('\n')}\n`,
  );
  return results.some((r) => r.error) ? 1 : 0;
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
  const from = langfuseTime(window.from!);
  const to = langfuseTime(window.to);
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

/** `langfuse-cost langfuse models diff|push|restore` and `langfuse-cost langfuse reprice`. */
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
      if (action === 'restore') return runModelsRestore(more, io);
      throw new CliError(
        'use "langfuse models diff", "langfuse models push" or "langfuse models restore"',
        2,
      );
    }
    if (sub === 'reprice') return runReprice(rest, io);
    io.stderr.write(USAGE);
    return 2;
  },
};

/**
 * An instant as Langfuse's API takes it: ISO text with a four-digit year (its query schema refuses
 * `toISOString`'s `+010000-…` for times past 9999), bound to the times its ClickHouse keeps
 * (1900-01-01 … 9999-12-31 23:59:59.999, as the dashboards' windows), so `--to 9999-12-31` is an open end.
 */
function langfuseTime(ms: number): string {
  return new Date(boundParamTime(ms)).toISOString();
}
