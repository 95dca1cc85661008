import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedError, LangfuseCostError } from '../errors.js';

/** One bound parameter a dashboard declares in its header, e.g. `from DateTime64(3) = -30d`. */
export interface DashboardParam {
  /** Name used in the SQL placeholder `{name:Type}`. */
  name: string;
  /** ClickHouse type of the placeholder, e.g. `String`, `DateTime64(3)`, `UInt32`, `Decimal64(6)`. */
  type: string;
  /** Default value as written in the header (`-30d`, `now`, `local`, `25`), or undefined when required. */
  default?: string;
  /** What the parameter means. */
  description: string;
}

/** One output column a dashboard documents in its header. */
export interface DashboardColumn {
  /** Column name as returned by the query. */
  name: string;
  /** What the column holds. */
  description: string;
}

/** A dashboard: one SQL file from `dashboards/` with its parsed header. */
export interface Dashboard {
  /** File name without `.sql`, e.g. `cost-by-model`. */
  name: string;
  /** Human title from the `Title:` line. */
  title: string;
  /** The question the dashboard answers (`Answers:`). */
  description: string;
  /** Declared parameters, in header order. */
  params: DashboardParam[];
  /** Documented output columns, in header order. */
  columns: DashboardColumn[];
  /** The whole file text, header included (what `dashboards show` prints). */
  text: string;
  /** The query without the header comment and without a trailing semicolon. */
  sql: string;
  /** Absolute path of the file, when loaded from disk. */
  path?: string;
}

/** Raised for a missing dashboard, a malformed header, or a placeholder the header does not declare. */
export class DashboardError extends LangfuseCostError {
  constructor(message: string) {
    super('DASHBOARD', message);
    this.name = 'DashboardError';
  }
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

/** Every `{name:Type}` placeholder in a SQL text, in order of appearance (duplicates kept). */
export function findPlaceholders(sql: string): { name: string; type: string }[] {
  try {
    return findPlaceholdersUnchecked(sql);
  } catch (err) {
    throw closedError(err, 'findPlaceholders');
  }
}

function findPlaceholdersUnchecked(sql: string): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  for (const m of sql.matchAll(PLACEHOLDER)) out.push({ name: m[1]!, type: m[2]!.trim() });
  return out;
}

/** Split `Type = default  description` where Type may hold parentheses with commas and spaces. */
function parseParamLine(line: string, file: string): DashboardParam {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/.exec(line);
  if (!m) throw new DashboardError(`${file}: cannot read parameter line "${line}"`);
  const name = m[1]!;
  let rest = m[2]!;
  let depth = 0;
  let i = 0;
  for (; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /\s/.test(c)) break;
  }
  const type = rest.slice(0, i);
  rest = rest.slice(i).trim();
  let def: string | undefined;
  if (rest.startsWith('=')) {
    rest = rest.slice(1).trim();
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      if (end < 0) throw new DashboardError(`${file}: unterminated quoted default for parameter ${name}`);
      def = rest.slice(1, end);
      rest = rest.slice(end + 1).trim();
    } else {
      const sp = rest.search(/\s/);
      def = sp < 0 ? rest : rest.slice(0, sp);
      rest = sp < 0 ? '' : rest.slice(sp).trim();
    }
  }
  if (!type) throw new DashboardError(`${file}: parameter ${name} has no type`);
  return def === undefined
    ? { name, type, description: rest }
    : { name, type, default: def, description: rest };
}

/**
 * Parse a dashboard file: the leading `--` comment block holds `Title:`, `Answers:`, `Params:` and
 * `Columns:` sections; the rest is one ClickHouse query. Every `{name:Type}` placeholder must be declared
 * under `Params:` with the same type, so a typo cannot silently send an unbound parameter.
 */
export function parseDashboard(name: string, text: string, path?: string): Dashboard {
  try {
    return parseDashboardUnchecked(name, text, path);
  } catch (err) {
    throw closedError(err, 'parseDashboard');
  }
}

function parseDashboardUnchecked(name: string, text: string, path?: string): Dashboard {
  const file = path ?? `${name}.sql`;
  const lines = text.split(/\r?\n/);
  let i = 0;
  const header: string[] = [];
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') {
      if (header.length === 0) continue;
      break;
    }
    if (!l.trimStart().startsWith('--')) break;
    header.push(l.trimStart().replace(/^--\s?/, ''));
  }
  let title = '';
  let description = '';
  const params: DashboardParam[] = [];
  const columns: DashboardColumn[] = [];
  let section: 'none' | 'answers' | 'params' | 'columns' = 'none';
  for (const raw of header) {
    const sec = /^(Title|Answers|Params|Columns):\s*(.*)$/i.exec(raw);
    if (sec) {
      const key = sec[1]!.toLowerCase();
      const value = sec[2]!.trim();
      if (key === 'title') {
        title = value;
        section = 'none';
      } else if (key === 'answers') {
        description = value;
        section = 'answers';
      } else section = key as 'params' | 'columns';
      continue;
    }
    const body = raw.trim();
    if (!body) continue;
    // Items sit two spaces in; a deeper indent continues the previous item's description.
    const continuation = /^\s{4,}/.test(raw);
    if (section === 'answers') description = `${description} ${body}`.trim();
    else if (section === 'params') {
      if (continuation && params.length > 0) params[params.length - 1]!.description += ` ${body}`;
      else params.push(parseParamLine(body, file));
    } else if (section === 'columns') {
      if (continuation && columns.length > 0) columns[columns.length - 1]!.description += ` ${body}`;
      else {
        const m = /^(\S+)\s*(.*)$/.exec(body)!;
        columns.push({ name: m[1]!, description: m[2]!.trim() });
      }
    }
  }
  if (!title) throw new DashboardError(`${file}: the header comment has no "Title:" line`);
  const sql = lines.slice(i).join('\n').trim().replace(/;\s*$/, '').trimEnd();
  if (!/^(WITH|SELECT)\b/i.test(sql)) {
    throw new DashboardError(
      `${file}: the query must start with WITH or SELECT right after the header comment`,
    );
  }
  if (sql.includes(';')) {
    // One statement per file: a second statement could never run on every source the same way.
    const outsideStrings = sql.replace(/'(?:[^'\\]|\\.)*'/g, "''");
    if (outsideStrings.includes(';')) throw new DashboardError(`${file}: one query per file (found a ";")`);
  }
  const declared = new Map(params.map((p) => [p.name, p]));
  for (const ph of findPlaceholders(sql)) {
    const p = declared.get(ph.name);
    if (!p)
      throw new DashboardError(`${file}: placeholder {${ph.name}:${ph.type}} is not declared under Params:`);
    if (normType(p.type) !== normType(ph.type)) {
      throw new DashboardError(
        `${file}: placeholder {${ph.name}:${ph.type}} does not match its declared type ${p.type}`,
      );
    }
  }
  const out: Dashboard = { name, title, description, params, columns, text, sql };
  if (path) out.path = path;
  return out;
}

function normType(t: string): string {
  return t.replace(/\s+/g, '');
}

function moduleDir(): string {
  // The CJS build gets `import.meta.url` from tsup's shim (see tsup.config.ts).
  return dirname(fileURLToPath(import.meta.url));
}

let cachedDir: string | undefined;

/**
 * The package's `dashboards/` directory. Found by walking up from this module to the directory whose
 * package.json is `langfuse-cost`, so it works from `src/dashboards/` (tsx), from `dist/` and from
 * `node_modules/langfuse-cost/dist/`. `LANGFUSE_COST_DASHBOARDS_DIR` overrides it.
 */
export function dashboardsDir(): string {
  const env = process.env.LANGFUSE_COST_DASHBOARDS_DIR;
  if (env) return resolve(env);
  if (cachedDir) return cachedDir;
  let dir = moduleDir();
  for (let depth = 0; depth < 8; depth++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (
          JSON.parse(readFileSync(pkg, 'utf8')).name === 'langfuse-cost' &&
          existsSync(join(dir, 'dashboards'))
        ) {
          cachedDir = join(dir, 'dashboards');
          return cachedDir;
        }
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new DashboardError(
    `cannot find the dashboards/ directory of langfuse-cost above ${moduleDir()}; set LANGFUSE_COST_DASHBOARDS_DIR`,
  );
}

/** Names of the dashboards in `dir` (default {@link dashboardsDir}), sorted. */
export function listDashboardNames(dir: string = dashboardsDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** Load and parse every dashboard in `dir` (default {@link dashboardsDir}), sorted by name. */
export async function loadDashboards(dir: string = dashboardsDir()): Promise<Dashboard[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (f) =>
      parseDashboard(f.slice(0, -4), await readFile(join(dir, f), 'utf8'), join(dir, f)),
    ),
  );
}

/** Load one dashboard by name (with or without `.sql`). Throws {@link DashboardError} listing the names when missing. */
export async function loadDashboard(name: string, dir: string = dashboardsDir()): Promise<Dashboard> {
  const base = name.endsWith('.sql') ? name.slice(0, -4) : name;
  if (!/^[A-Za-z0-9_-]+$/.test(base)) throw new DashboardError(`invalid dashboard name "${name}"`);
  const path = join(dir, `${base}.sql`);
  if (!existsSync(path)) {
    throw new DashboardError(`no dashboard "${base}"; available: ${listDashboardNames(dir).join(', ')}`);
  }
  return parseDashboard(base, await readFile(path, 'utf8'), path);
}

/** Read a helper SQL file that ships beside the dashboards, e.g. `sources/langfuse-v4.sql`. */
export async function readDashboardAsset(relPath: string, dir: string = dashboardsDir()): Promise<string> {
  return readFile(join(dir, relPath), 'utf8');
}
