/**
 * SQL that turns the JSONL ledger (TRACKER-API line format) into tables with Langfuse's v3 `observations`
 * and `traces` columns, so the dashboards run on it unchanged. Ledger fields Langfuse has no column for
 * go where our span processor puts them in Langfuse: observation `metadata` (provider, tenant_id,
 * fallback, …); session_id, user_id and tags go on the trace, as in Langfuse.
 */

import { LEDGER_COLUMN_KINDS } from '../../ledger/check.js';
import {
  DEFAULT_ENVIRONMENT,
  DEFAULT_PROJECT_ID,
  LEDGER_COLUMNS,
  OBSERVATION_TYPE,
} from '../../ledger/line.js';
import { LEDGER_TOTAL_COST_SQL } from '../../ledger/priced.js';
import {
  ENVIRONMENT_GIVEN,
  LEDGER_ROW_COLUMNS,
  METADATA_FIELDS,
  NAME_GIVEN,
} from '../../node/ledger/native.js';
import { EARLIEST_PARAM_TIME, LATEST_PARAM_TIME } from '../params.js';

/** The ClickHouse type of each kind of ledger column (see `LEDGER_COLUMN_KINDS`), as read from JSON. */
const RAW_TYPE: Readonly<Record<string, string>> = {
  id: 'String',
  'string?': 'Nullable(String)',
  time: 'Nullable(String)',
  tokens: 'Map(String, UInt64)',
  usd: 'Map(String, Decimal64(12))',
  'usd?': 'Nullable(Decimal64(12))',
  'pico?': 'Nullable(String)',
  metadata: 'Map(String, String)',
  strings: 'Array(String)',
  bool: 'Nullable(Bool)',
  ms: 'Nullable(Float64)',
  status: 'Nullable(String)',
};

/** The ledger line as ClickHouse reads it (JSONEachRow; unknown keys are skipped, missing keys default). */
export const LEDGER_SCHEMA = LEDGER_COLUMNS.map((c) => `${c} ${RAW_TYPE[LEDGER_COLUMN_KINDS[c]]}`).join(', ');

/** The staging rows' columns as a table function's structure (the Native files the line check writes). */
export const LEDGER_ROWS_STRUCTURE = LEDGER_ROW_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ');

/**
 * Staging table: the ledger's rows, read once, with what `observations` stores already derived, and
 * what `traces` is grouped from (`LEDGER_ROW_COLUMNS`). Filled from JSON by {@link LOAD_LEDGER_FILE};
 * the Native columns the line check writes for lines in our encoder's form are read where they lie
 * ({@link nativeStagingRows}).
 */
export const CREATE_LEDGER_ROWS = `CREATE TABLE ledger_rows (${LEDGER_ROWS_STRUCTURE}) ENGINE = Memory`;

/** Where {@link FILL_OBSERVATIONS} and {@link FILL_TRACES} read the staging rows. */
const FROM_STAGING = '\nFROM ledger_rows';

/**
 * `sql` ({@link FILL_OBSERVATIONS} or {@link FILL_TRACES}) reading the staging rows from `source` (a
 * table, or a subquery in brackets) instead of the `ledger_rows` table.
 */
export function fillFrom(sql: string, source: string): string {
  if (!sql.includes(FROM_STAGING)) throw new Error('fillFrom: the SQL does not read ledger_rows');
  return sql.replace(FROM_STAGING, `\nFROM ${source}`);
}

/**
 * The staging rows of the Native files the line check's workers wrote (one per share, in the ledger's
 * order), read where they lie: a source for {@link fillFrom} and its bound parameters. Filling the tables
 * from the files instead of copying them into `ledger_rows` first leaves out a whole copy of the rows: on
 * a million calls about 150,000 fewer pages of fresh memory for ClickHouse to fault in (on our benchmark
 * VM each costs about as much system time as the work done in it), and 1.6–3.7 CPU s less per first load
 * (four interleaved pairs; the tables are the same, tests/integration/dashboards/ledger-check-workers).
 */
export function nativeStagingRows(paths: readonly string[]): {
  source: string;
  params: Record<string, string>;
} {
  const params: Record<string, string> = {};
  const reads = paths.map((path, i) => {
    params[`rows${i}`] = path;
    return `SELECT * FROM file({rows${i}:String}, 'Native', '${LEDGER_ROWS_STRUCTURE}')`;
  });
  return { source: `(${reads.join(' UNION ALL ')})`, params };
}

// A loaded time takes the instants a dashboard's window reaches (`EARLIEST_PARAM_TIME` …
// `LATEST_PARAM_TIME`: 1900-01-01 and 9999-12-31T23:59:59.999Z, in DateTime64). A time outside is loaded
// at the nearer one: before 1900, in every window from the first instant (all time), as in `report`'s;
// after 9999 (the year 58158 of a time in microseconds taken for milliseconds), in no window (a window
// ends before its `to`), as in `report`'s up to now.

/**
 * A time the load's SQL cannot read (a form only `Date.parse` reads: {@link LOAD_LEDGER_FILE} leaves it
 * to the loader, see {@link UNREAD_TIMES}): just before `EARLIEST_PARAM_TIME`, where no loaded time is.
 */
export const UNREAD_TIME_MS = EARLIEST_PARAM_TIME - 1;

/** The ledger's own time form (`2026-11-01T10:00:00.000Z`, years up to 9999) from 1900 on, as text. */
const CANONICAL_FROM = `'${new Date(EARLIEST_PARAM_TIME).toISOString()}'`;

/**
 * ISO-8601 date-times that `Date.parse` reads as written (tested against it): `T` or `t`, seconds and
 * a fraction optional (digits after the third dropped), `Z`, `z` or an offset (`±HH:MM`, `±HHMM`).
 * Groups: year, month, day, hour, minute, (seconds, second, (fraction, digits)), zone, sign, hours, minutes.
 */
const ISO_TIME = `'^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(:([0-9]{2})([.]([0-9]+))?)?([Zz]|([+-])([0-9]{2}):?([0-9]{2}))$'`;

/**
 * The ISO time `s` (see {@link ISO_TIME}) in ms since 1970, within `EARLIEST_PARAM_TIME` …
 * `LATEST_PARAM_TIME`, computed from its fields (Hinnant's days from civil, years shifted by 400 to stay
 * positive), or NULL when `s` is not in that form or a field is out of its range (February 30, hour 24,
 * …: `Date.parse` reads some of those its own way, so they are left to it). A lambda on the groups: as
 * expressions of the query, the fields cost every row (even where `if` runs none of them) about 0.1 CPU
 * µs more a time.
 */
function isoTimeMs(s: string): string {
  const n = (i: number) => `toInt64OrZero(g[${i}])`;
  const [y, mo, d, h, mi, ss, oh, om] = [n(1), n(2), n(3), n(4), n(5), n(7), n(12), n(13)];
  const leap = `(${y} % 4 = 0 AND (${y} % 100 != 0 OR ${y} % 400 = 0))`;
  const daysIn = `if(${mo} = 2, if(${leap}, 29, 28), if(${mo} IN (4, 6, 9, 11), 30, 31))`;
  const valid = `length(g) = 13 AND ${mo} BETWEEN 1 AND 12 AND ${d} BETWEEN 1 AND ${daysIn} AND ${h} <= 23 AND ${mi} <= 59 AND ${ss} <= 59 AND ${oh} <= 23 AND ${om} <= 59`;
  const yp = `(${y} - (${mo} <= 2) + 400)`;
  const yoe = `(${yp} % 400)`;
  const doy = `(intDiv(153 * ((${mo} + 9) % 12) + 2, 5) + ${d} - 1)`;
  const days = `(intDiv(${yp}, 400) * 146097 + ${yoe} * 365 + intDiv(${yoe}, 4) - intDiv(${yoe}, 100) + ${doy} - 865565)`;
  const frac = `toInt64OrZero(rightPad(substring(g[9], 1, 3), 3, '0'))`;
  const offset = `multiIf(g[11] = '+', 1, g[11] = '-', -1, 0) * (${oh} * 60 + ${om}) * 60000`;
  const ms = `${days} * 86400000 + ${h} * 3600000 + ${mi} * 60000 + ${ss} * 1000 + ${frac} - ${offset}`;
  const clamped = `greatest(${EARLIEST_PARAM_TIME}, least(${LATEST_PARAM_TIME}, toInt64(${ms})))`;
  return `arrayMap(g -> if(${valid}, ${clamped}, NULL), [extractGroups(${s}, ${ISO_TIME})])[1]`;
}

/**
 * A time text `s` (Nullable) → DateTime64(3), the instant `Date.parse` reads in it (what `report` uses),
 * within `EARLIEST_PARAM_TIME` … `LATEST_PARAM_TIME`: the ledger's own form from 1900 on by
 * `parseDateTime64BestEffort` (as before: the values the line check's Native columns hold); other ISO
 * times from their fields ({@link isoTimeMs}); with `lookup`, any other form from `ledger_times`
 * (`Date.parse`'s values, see {@link UNREAD_TIMES}); else {@link UNREAD_TIME_MS}. No text fails the load.
 */
function timeSql(s: string, lookup: boolean): string {
  const canonical = `length(${s}) = 24 AND substring(${s}, 11, 1) = 'T' AND substring(${s}, 24, 1) = 'Z' AND ${s} >= ${CANONICAL_FROM}`;
  const read = lookup
    ? `coalesce(${isoTimeMs(s)}, joinGetOrNull('${LEDGER_TIMES}', 'ms', ifNull(${s}, '')))`
    : isoTimeMs(s);
  return `multiIf(isNull(${s}), NULL, ${canonical}, parseDateTime64BestEffort(${s}, 3, 'UTC'), fromUnixTimestamp64Milli(ifNull(${read}, ${UNREAD_TIME_MS}), 'UTC'))`;
}

/**
 * Times `Date.parse` reads that the SQL does not (text → ms since 1970, within `EARLIEST_PARAM_TIME` …
 * `LATEST_PARAM_TIME`), filled by the loader for a file that has such times (see {@link UNREAD_TIMES})
 * and read by {@link LOAD_LEDGER_FILE_READING_TIMES}.
 */
export const LEDGER_TIMES = 'ledger_times';
export const CREATE_LEDGER_TIMES = `CREATE TABLE IF NOT EXISTS ${LEDGER_TIMES} (text String, ms Int64) ENGINE = Join(ANY, LEFT, text)`;

/** Staging rows with a time the SQL could not read (see {@link UNREAD_TIME_MS}). */
export const COUNT_UNREAD_TIMES = `SELECT count() FROM ledger_rows WHERE toUnixTimestamp64Milli(start_time) = ${UNREAD_TIME_MS} OR toUnixTimestamp64Milli(end_time) = ${UNREAD_TIME_MS}`;

/**
 * The time texts of a ledger file (bound parameter `path`) that the SQL cannot read (see
 * {@link UNREAD_TIME_MS}), each once: the loader reads them with `Date.parse`, as `report` does, into
 * {@link LEDGER_TIMES}.
 */
export const UNREAD_TIMES = `SELECT DISTINCT t FROM file({path:String}, 'JSONEachRow', 'start_time Nullable(String), end_time Nullable(String)')
ARRAY JOIN [start_time, end_time] AS t
WHERE t IS NOT NULL AND toUnixTimestamp64Milli(${timeSql('t', false)}) = ${UNREAD_TIME_MS}
SETTINGS input_format_skip_unknown_fields = 1`;

// A record's instant: its start, else its end.
const START = (lookup: boolean) => timeSql('coalesce(r.start_time, r.end_time)', lookup);
const END = (lookup: boolean) => timeSql('r.end_time', lookup);

/** The value of each `METADATA_FIELDS` key in a raw ledger row `r` ('' for none). */
const METADATA_SQL: Readonly<Record<string, string>> = {
  provider: `ifNull(r.provider, '')`,
  tenant_id: `ifNull(r.tenant_id, '')`,
  fallback: `if(r.fallback, 'true', '')`,
  estimated: `if(r.estimated, 'true', '')`,
  price_source: `if(r.source IN ('catalog', ''), '', ifNull(r.source, ''))`,
  service: `ifNull(r.service, '')`,
};

/**
 * A raw ledger row `r` → the staging row (`ledger_rows`' columns, in order). Our ledger fields without a
 * Langfuse column become metadata keys, only when they say something (a map lookup scans every key, so
 * each key costs every dashboard a little): provider, tenant_id, fallback and estimated (when true),
 * price_source (when not the catalog), service. The resolved model is `internal_model_id`, the tier
 * `usage_pricing_tier_name`, the status `level`. The line check's Native writer (`writeNativeSegment`)
 * derives the same columns from the lines in our encoder's form: a test holds the two to the same rows.
 */
export const LEDGER_ROWS_SELECT = ledgerRowsSelect(false);

function ledgerRowsSelect(lookup: boolean): string {
  return `
  r.id AS id,
  coalesce(nullIf(r.trace_id, ''), r.id) AS trace_id,
  coalesce(nullIf(r.project_id, ''), '${DEFAULT_PROJECT_ID}') AS project_id,
  coalesce(nullIf(r.environment, ''), '${DEFAULT_ENVIRONMENT}') AS environment,
  coalesce(nullIf(r.type, ''), '${OBSERVATION_TYPE}') AS type,
  nullIf(r.parent_observation_id, '') AS parent_observation_id,
  ${START(lookup)} AS start_time,
  ${END(lookup)} AS end_time,
  ifNull(r.name, '') AS name,
  mapFilter((k, v) -> v != '', mapUpdate(CAST(r.metadata, 'Map(String, String)'), CAST(map(
    ${METADATA_FIELDS.map((k) => `'${k}', ${METADATA_SQL[k]}`).join(',\n    ')}
  ), 'Map(String, String)'))) AS metadata,
  coalesce(nullIf(r.level, ''), if(r.status = 'error', 'ERROR', 'DEFAULT')) AS level,
  r.status_message AS status_message,
  r.provided_model_name AS provided_model_name,
  r.internal_model_id AS internal_model_id,
  r.usage_details AS usage_details,
  r.cost_details AS cost_details,
  r.provided_cost_details AS provided_cost_details,
  ${LEDGER_TOTAL_COST_SQL} AS total_cost,
  coalesce(${END(lookup)}, ${START(lookup)}) AS event_ts,
  nullIf(r.tier, '') AS usage_pricing_tier_name,
  ifNull(r.user_id, '') AS user_id,
  ifNull(r.session_id, '') AS session_id,
  r.tags AS tags,
  toUInt8(if(r.name IS NULL, 0, ${NAME_GIVEN}) + if(ifNull(r.environment, '') = '', 0, ${ENVIRONMENT_GIVEN})) AS trace_flags,
  r._row_number AS seq`;
}

const loadLedgerFile = (lookup: boolean) => `INSERT INTO ledger_rows
SELECT ${ledgerRowsSelect(lookup)}
FROM file({path:String}, 'JSONEachRow', {schema:String}) AS r
SETTINGS input_format_skip_unknown_fields = 1`;

/**
 * Read one ledger file into the staging table. The path is a bound parameter. A time in a form only
 * `Date.parse` reads loads as {@link UNREAD_TIME_MS} (see {@link COUNT_UNREAD_TIMES}): the loader then
 * reads those times ({@link UNREAD_TIMES}) and loads the file again with
 * {@link LOAD_LEDGER_FILE_READING_TIMES}.
 */
export const LOAD_LEDGER_FILE = loadLedgerFile(false);

/** {@link LOAD_LEDGER_FILE} with the times of `ledger_times` ({@link CREATE_LEDGER_TIMES}) read too. */
export const LOAD_LEDGER_FILE_READING_TIMES = loadLedgerFile(true);

/**
 * Settings of {@link LOAD_LEDGER_FILE} while JS checks the same lines on the other core: one parsing
 * thread (the parallel parser's chunking costs about a CPU second per million lines, and the cores are
 * busy anyway).
 */
export const BESIDE_CHECK = ', input_format_parallel_parsing = 0';

/** {@link LOAD_LEDGER_FILE} while JS checks the same lines on the other core (see {@link BESIDE_CHECK}). */
export const LOAD_LEDGER_FILE_BESIDE_CHECK = `${LOAD_LEDGER_FILE}${BESIDE_CHECK}`;

/**
 * v3 `observations` columns (research/langfuse.md §3.1). Memory engine: the ledger is loaded once per run
 * and read by every dashboard; the dashboards dedup by event_ts themselves, like on Langfuse. The columns
 * the ledger never fills are ALIAS columns of their constant ({@link ALIAS_OBSERVATIONS}): stored, they
 * were 100 of a row's 508 bytes that every first load sorted, copied and wrote to the cache (on a million
 * calls, 0.3–0.6 of the `observations` fill's 3.1–3.3 CPU s), and a query reads a constant instead.
 * Columns whose values repeat from call to call (name, model names, tier, as environment, type and level)
 * are LowCardinality: a dictionary index instead of the text on every row. On a million calls the table
 * takes 282 MiB instead of 389 (`traces`, with its name and tags so too, 33 MiB instead of 41), a first
 * load in a fresh process peaks ~0.1 GB lower, and the 17 dashboards take 0.93–0.98× their CPU. Not
 * `project_id`: every dashboard dedups by `(id, project_id)`, and the HTML report's queries took 6% more
 * CPU with it. With a distinct name on every call, the load and the dashboards cost what they did with
 * String columns (200,000 calls, interleaved runs).
 */
export const CREATE_OBSERVATIONS = `CREATE TABLE observations (
  id String, trace_id String, project_id String, environment LowCardinality(String) DEFAULT 'default',
  type LowCardinality(String), parent_observation_id Nullable(String), start_time DateTime64(3),
  end_time Nullable(DateTime64(3)), name LowCardinality(String), metadata Map(LowCardinality(String), String),
  level LowCardinality(String), status_message Nullable(String), version Nullable(String) ALIAS NULL,
  input Nullable(String) ALIAS NULL, output Nullable(String) ALIAS NULL, provided_model_name LowCardinality(Nullable(String)),
  internal_model_id LowCardinality(Nullable(String)), model_parameters Nullable(String) ALIAS NULL,
  provided_usage_details Map(LowCardinality(String), UInt64) ALIAS map(), usage_details Map(LowCardinality(String), UInt64),
  provided_cost_details Map(LowCardinality(String), Decimal64(12)), cost_details Map(LowCardinality(String), Decimal64(12)),
  total_cost Nullable(Decimal64(12)), completion_start_time Nullable(DateTime64(3)) ALIAS NULL,
  prompt_id Nullable(String) ALIAS NULL, prompt_name Nullable(String) ALIAS NULL, prompt_version Nullable(UInt16) ALIAS NULL,
  created_at DateTime64(3) ALIAS now64(3), updated_at DateTime64(3) ALIAS now64(3), event_ts DateTime64(3),
  is_deleted UInt8 ALIAS 0, usage_pricing_tier_id Nullable(String) ALIAS NULL, usage_pricing_tier_name LowCardinality(Nullable(String))
) ENGINE = Memory`;

/** v3 `traces` columns (research/langfuse.md §3.2); those the ledger never fills are ALIAS columns, as in `observations`. */
export const CREATE_TRACES = `CREATE TABLE traces (
  id String, timestamp DateTime64(3), name LowCardinality(String), user_id Nullable(String),
  metadata Map(LowCardinality(String), String) ALIAS CAST(map(), 'Map(LowCardinality(String), String)'),
  release Nullable(String) ALIAS NULL, version Nullable(String) ALIAS NULL,
  project_id String, environment LowCardinality(String) DEFAULT 'default', public Bool ALIAS false,
  bookmarked Bool ALIAS false, tags Array(LowCardinality(String)), input Nullable(String) ALIAS NULL,
  output Nullable(String) ALIAS NULL, session_id Nullable(String),
  created_at DateTime64(3) ALIAS now64(3), updated_at DateTime64(3) ALIAS now64(3), event_ts DateTime64(3),
  is_deleted UInt8 ALIAS 0
) ENGINE = Memory`;

/**
 * Rows are stored newest `event_ts` first: the order in which every dashboard dedups (`ORDER BY event_ts
 * DESC LIMIT 1 BY id`), so its sort finds them nearly sorted (on a million calls, 3–45% less CPU per
 * dashboard, same rows). Copies between the tables keep the order ({@link KEEP_ORDER}).
 */
export const ROW_ORDER = 'ORDER BY event_ts DESC';

/** Settings of a copy that keeps the source table's row order (one reading thread). */
export const KEEP_ORDER = 'SETTINGS max_threads = 1';

/**
 * Settings of the sort that fills `observations`: each source read is one stream (by default ClickHouse
 * spreads each of the line check's Native files over every thread, so that on 2 cores two files are
 * sorted as four streams). On a million calls, from the workers' two files: about 50,000 fewer pages of
 * fresh memory (of ~260,000; on our benchmark VM a fault costs ~5 µs) and 0.5–0.8 CPU s less, the
 * rows the same (four interleaved pairs of first loads).
 */
export const ONE_STREAM_PER_SOURCE = 'SETTINGS parallelize_output_from_storages = 0';

/**
 * Staging rows → observations: the columns are derived already (see {@link LEDGER_ROWS_SELECT}); the
 * ones Langfuse has and the ledger has not are the table's ALIAS columns (NULL, empty or now).
 */
export const FILL_OBSERVATIONS = `INSERT INTO observations
SELECT
  id, trace_id, project_id, environment, type, parent_observation_id, start_time, end_time, name, metadata,
  level, status_message, provided_model_name, internal_model_id, usage_details, provided_cost_details,
  cost_details, total_cost, event_ts, usage_pricing_tier_name
FROM ledger_rows
${ROW_ORDER}
${ONE_STREAM_PER_SOURCE}`;

/**
 * Settings of the trace groupings: no JIT-compiled aggregates. ClickHouse compiles `min` after the same
 * aggregation ran three times in the process, and the compiled `min` of a DateTime64 gives 1970-01-01 for
 * a time before 1970 (chDB 3.4, ClickHouse 26.7; a test holds it).
 */
export const NO_AGGREGATE_JIT = 'SETTINGS compile_aggregate_expressions = 0';

/** 2^63: an Int64 plus this is unsigned, in the same order. */
const INT64_OFFSET = '9223372036854775808';

/**
 * A staging row `r`'s start, then its `seq`, as one UInt128 (the start's milliseconds made unsigned in the
 * high 64 bits, `seq` in the low ones): ordered as the pair, and cheaper to compare than a tuple (on a
 * million calls, about 0.15 of `traces`' 0.9 CPU s).
 */
const START_THEN_SEQ = `bitOr(bitShiftLeft(toUInt128(toInt128(toUnixTimestamp64Milli(r.start_time)) + ${INT64_OFFSET}), 64), toUInt128(r.seq))`;

/**
 * Staging rows → traces: one row per (project, trace) with the trace-level attributes of its records: the
 * earliest start, the name of the earliest record that has one (of records that start together, the
 * first in the ledger), the first non-empty user, session and environment in the ledger's order, the
 * union of the tags, the latest event. "First" is by `seq` (the ledger's order), not by the order the
 * rows are read in, so the grouping runs on every thread ClickHouse takes.
 */
export const FILL_TRACES = `INSERT INTO traces
SELECT
  r.trace_id AS tid,
  min(r.start_time) AS timestamp,
  argMinIf(r.name, ${START_THEN_SEQ}, bitAnd(r.trace_flags, ${NAME_GIVEN}) != 0) AS name,
  nullIf(argMinIf(r.user_id, r.seq, r.user_id != ''), '') AS user_id,
  -- The tenant stays on each record (observation metadata): records of one trace may differ, so the
  -- trace's metadata is empty (an ALIAS column, like the other columns the ledger never fills).
  r.project_id AS pid,
  -- An environment given is never '' (see ENVIRONMENT_GIVEN): '' is "none given".
  ifNull(nullIf(argMinIf(r.environment, r.seq, bitAnd(r.trace_flags, ${ENVIRONMENT_GIVEN}) != 0), ''), '${DEFAULT_ENVIRONMENT}') AS environment,
  -- The tags gathered, then made distinct: not groupUniqArrayArray, whose hash set per trace (a
  -- million traces) costs page faults (~10-13k fewer on the bench's first load) for the same result.
  arraySort(arrayDistinct(groupArrayArray(r.tags))) AS tags,
  nullIf(argMinIf(r.session_id, r.seq, r.session_id != ''), '') AS session_id,
  max(r.event_ts) AS event_ts
FROM ledger_rows AS r
GROUP BY pid, tid
${ROW_ORDER}
${NO_AGGREGATE_JIT}`;
