/**
 * Price files on disk: our catalog format in JSON or YAML, or any format the importers read
 * (LiteLLM, genai-prices v2, Langfuse model definitions), detected from the content.
 * `LANGFUSE_COST_PRICES` names one file or a list (separated by the platform path delimiter or commas).
 */

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, extname, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import { closedError, LangfuseCostError } from '../errors.js';
import { type ImportAnyOptions, importAny } from '../pricing/importers/index.js';
import type { CatalogData } from '../pricing/types.js';
import { validateCatalog } from '../pricing/validate.js';
import { jsonErrorPosition } from './json-position.js';

/** The environment variable that lists user price files. */
export const PRICES_ENV = 'LANGFUSE_COST_PRICES';

/** Environment variables (a subset of `process.env`). */
export type Env = Record<string, string | undefined>;

/** A price file could not be found, read or parsed. `path` is the absolute path. */
export class PriceFileError extends LangfuseCostError {
  /** Absolute path of the file. */
  readonly path: string;
  constructor(code: string, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PriceFileError';
    this.path = path;
  }
}

/** Options of {@link loadPriceFile}. */
export interface LoadPriceFileOptions {
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  cwd?: string;
  /** Where the path came from, named in "not found" errors (e.g. `LANGFUSE_COST_PRICES`). */
  from?: string;
  /** Options passed to the importer (format, stats callback, …). */
  importOptions?: ImportAnyOptions;
}

/** One loaded user price file. */
export interface LoadedPriceFile {
  /** Absolute path. */
  path: string;
  /** The catalog it holds (converted from its format and validated). */
  data: CatalogData;
}

type YamlModule = typeof Yaml;

const YAML_EXT = new Set(['.yaml', '.yml']);

/**
 * Read, parse, convert and validate a price file.
 *
 * @param path - a JSON or YAML file in our catalog format or any importer format.
 * @throws {PriceFileError} when the file is missing, unreadable or unparsable, or YAML support
 *   (the optional `yaml` package) is not installed.
 * @throws {CatalogValidationError} when the content is not a valid catalog (each bad field with its path).
 */
export async function loadPriceFile(path: string, options: LoadPriceFileOptions = {}): Promise<CatalogData> {
  const abs = resolve(options.cwd ?? process.cwd(), path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    throw readError(abs, e, options.from);
  }
  const yaml = needsYaml(abs, text) ? await importYaml(abs) : undefined;
  return toCatalog(parseText(text, abs, yaml), abs, options);
}

/** Synchronous {@link loadPriceFile}, for start-up code that cannot await. */
export function loadPriceFileSync(path: string, options: LoadPriceFileOptions = {}): CatalogData {
  const abs = resolve(options.cwd ?? process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw readError(abs, e, options.from);
  }
  const yaml = needsYaml(abs, text) ? requireYaml(abs) : undefined;
  return toCatalog(parseText(text, abs, yaml), abs, options);
}

/**
 * The paths listed in a `LANGFUSE_COST_PRICES`-style value: split on the platform path delimiter
 * (`:` on POSIX, `;` on Windows) and on commas; empty entries dropped.
 */
export function splitPriceFileList(value: string | undefined): string[] {
  try {
    return splitPriceFileListUnchecked(value);
  } catch (err) {
    throw closedError(err, 'splitPriceFileList');
  }
}

function splitPriceFileListUnchecked(value: string | undefined): string[] {
  if (!value) return [];
  const sep = delimiter === ';' ? /[;,]/ : /[:,]/;
  return value
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Load every file listed in `LANGFUSE_COST_PRICES`, in order (later files override earlier ones
 * when loaded into one catalog layer).
 * @throws {PriceFileError | CatalogValidationError} for the first bad file.
 */
export async function loadPriceFilesFromEnv(
  env: Env = process.env,
  options: Omit<LoadPriceFileOptions, 'from'> = {},
): Promise<LoadedPriceFile[]> {
  const out: LoadedPriceFile[] = [];
  for (const p of splitPriceFileList(env[PRICES_ENV])) {
    const path = resolve(options.cwd ?? process.cwd(), p);
    out.push({ path, data: await loadPriceFile(path, { ...options, from: PRICES_ENV }) });
  }
  return out;
}

/** Synchronous {@link loadPriceFilesFromEnv}. */
export function loadPriceFilesFromEnvSync(
  env: Env = process.env,
  options: Omit<LoadPriceFileOptions, 'from'> = {},
): LoadedPriceFile[] {
  return splitPriceFileList(env[PRICES_ENV]).map((p) => {
    const path = resolve(options.cwd ?? process.cwd(), p);
    return { path, data: loadPriceFileSync(path, { ...options, from: PRICES_ENV }) };
  });
}

function readError(abs: string, e: unknown, from: string | undefined): PriceFileError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const via = from ? ` (listed in ${from})` : '';
  if (code === 'ENOENT') {
    return new PriceFileError(
      'PRICE_FILE_NOT_FOUND',
      abs,
      `price file not found: ${abs}${via}. Create it, or fix ${PRICES_ENV} ` +
        `(one path, or several separated by "${delimiter}" or ",").`,
      { cause: e },
    );
  }
  if (code === 'EISDIR') {
    return new PriceFileError(
      'PRICE_FILE_UNREADABLE',
      abs,
      `price file ${abs}${via} is a directory; name a .json or .yaml file`,
      {
        cause: e,
      },
    );
  }
  return new PriceFileError(
    'PRICE_FILE_UNREADABLE',
    abs,
    `cannot read price file ${abs}${via}: ${(e as Error | undefined)?.message ?? String(e)}`,
    { cause: e },
  );
}

/** YAML is used for .yaml/.yml files, and for other files that are not JSON. */
function needsYaml(abs: string, text: string): boolean {
  const ext = extname(abs).toLowerCase();
  if (YAML_EXT.has(ext)) return true;
  if (ext === '.json') return false;
  const first = text.trimStart()[0];
  return first !== '{' && first !== '[';
}

function parseText(text: string, abs: string, yaml: YamlModule | undefined): unknown {
  if (yaml) {
    try {
      return yaml.parse(text, { prettyErrors: true });
    } catch (e) {
      const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const msg = ((e as Error).message ?? String(e)).split('\n')[0];
      throw new PriceFileError('PRICE_FILE_PARSE', abs, `invalid YAML in ${abs}${where}: ${msg}`, {
        cause: e,
      });
    }
  }
  try {
    return JSON.parse(stripBom(text));
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    throw new PriceFileError(
      'PRICE_FILE_PARSE',
      abs,
      `invalid JSON in ${abs}${jsonPosition(text, msg)}: ${msg}`,
      {
        cause: e,
      },
    );
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** ` at line L, column C` of a JSON syntax error (Node 20's messages give neither). */
function jsonPosition(text: string, message: string): string {
  if (/line \d+/.test(message)) return '';
  const pos = jsonErrorPosition(stripBom(text));
  return pos ? ` at line ${pos.line}, column ${pos.column}` : '';
}

function toCatalog(parsed: unknown, abs: string, options: LoadPriceFileOptions): CatalogData {
  const data = importAny(parsed, abs, options.importOptions);
  return validateCatalog(data, abs);
}

function yamlMissing(abs: string, e: unknown): PriceFileError {
  return new PriceFileError(
    'YAML_NOT_INSTALLED',
    abs,
    `reading the YAML price file ${abs} needs the optional "yaml" package: run \`npm install yaml\` (or write the file as JSON)`,
    { cause: e },
  );
}

function isModuleNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function importYaml(abs: string): Promise<YamlModule> {
  try {
    const mod = (await import('yaml')) as YamlModule & { default?: YamlModule };
    return typeof mod.parse === 'function' ? mod : (mod.default as YamlModule);
  } catch (e) {
    if (isModuleNotFound(e)) throw yamlMissing(abs, e);
    throw e;
  }
}

function requireYaml(abs: string): YamlModule {
  try {
    // A real `require` in both builds: the ESM bundle's own `require` is a stub that throws, and the
    // CJS build gets `import.meta.url` from tsup's shim (see tsup.config.ts).
    const req = createRequire(import.meta.url);
    return req('yaml') as YamlModule;
  } catch (e) {
    if (isModuleNotFound(e)) throw yamlMissing(abs, e);
    throw e;
  }
}
