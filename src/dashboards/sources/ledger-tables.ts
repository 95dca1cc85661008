/**
 * SQL that turns the JSONL ledger (TRACKER-API line format) into tables with Langfuse's v3 `observations`
 * and `traces` columns, so the dashboards run on it unchanged. Ledger fields Langfuse has no column for
 * go where our span processor puts them in Langfuse: observation `metadata` (provider, tenant_id,
 * fallback, …); session_id, user_id and tags go on the trace, as in Langfuse.
 */

import { LEDGER_TOTAL_COST_SQL } from '../../ledger/priced.js';
import { LEDGER_RAW_COLUMNS } from '../../node/ledger/native.js';

/**
 * The ledger line as ClickHouse reads it (JSONEachRow; unknown keys are skipped, missing keys default),
 * and as the line check writes it in Native (`LEDGER_RAW_COLUMNS`, one list for both).
 */
export const LEDGER_SCHEMA = LEDGER_RAW_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/** Staging table: the ledger parsed once, read twice (observations and traces). */
export const CREATE_LEDGER_RAW = `CREATE TABLE ledger_raw (${LEDGER_SCHEMA}) ENGINE = Memory`;

/** Read one ledger file into the staging table. The path is a bound parameter. */
export const LOAD_LEDGER_FILE = `INSERT INTO ledger_raw
SELECT * FROM file({path:String}, 'JSONEachRow', {schema:String})
SETTINGS input_format_skip_unknown_fields = 1`;

/**
 * {@link LOAD_LEDGER_FILE} while JS checks the same lines on the other core: one parsing thread (the
 * parallel parser's chunking costs about a CPU second per million lines, and the cores are busy anyway).
 */
export const LOAD_LEDGER_FILE_BESIDE_CHECK = `${LOAD_LEDGER_FILE}, input_format_parallel_parsing = 0`;

/**
 * v3 `observations` columns (research/langfuse.md §3.1). Memory engine: the ledger is loaded once per run
 * and read by every dashboard; the dashboards dedup by event_ts themselves, like on Langfuse.
 */
export const CREATE_OBSERVATIONS = `CREATE TABLE observations (
  id String, trace_id String, project_id String, environment LowCardinality(String) DEFAULT 'default',
  type LowCardinality(String), parent_observation_id Nullable(String), start_time DateTime64(3),
  end_time Nullable(DateTime64(3)), name String, metadata Map(LowCardinality(String), String),
  level LowCardinality(String), status_message Nullable(String), version Nullable(String),
  input Nullable(String), output Nullable(String), provided_model_name Nullable(String),
  internal_model_id Nullable(String), model_parameters Nullable(String),
  provided_usage_details Map(LowCardinality(String), UInt64), usage_details Map(LowCardinality(String), UInt64),
  provided_cost_details Map(LowCardinality(String), Decimal64(12)), cost_details Map(LowCardinality(String), Decimal64(12)),
  total_cost Nullable(Decimal64(12)), completion_start_time Nullable(DateTime64(3)), prompt_id Nullable(String),
  prompt_name Nullable(String), prompt_version Nullable(UInt16), created_at DateTime64(3) DEFAULT now(),
  updated_at DateTime64(3) DEFAULT now(), event_ts DateTime64(3), is_deleted UInt8,
  usage_pricing_tier_id Nullable(String), usage_pricing_tier_name Nullable(String)
) ENGINE = Memory`;

/** v3 `traces` columns (research/langfuse.md §3.2). */
export const CREATE_TRACES = `CREATE TABLE traces (
  id String, timestamp DateTime64(3), name String, user_id Nullable(String),
  metadata Map(LowCardinality(String), String), release Nullable(String), version Nullable(String),
  project_id String, environment LowCardinality(String) DEFAULT 'default', public Bool, bookmarked Bool,
  tags Array(String), input Nullable(String), output Nullable(String), session_id Nullable(String),
  created_at DateTime64(3) DEFAULT now(), updated_at DateTime64(3) DEFAULT now(), event_ts DateTime64(3),
  is_deleted UInt8
) ENGINE = Memory`;

// A record's instant: its start, else its end. Times are ISO-8601 UTC with milliseconds.
const START = `parseDateTime64BestEffort(coalesce(r.start_time, r.end_time), 3, 'UTC')`;
const END = `parseDateTime64BestEffortOrNull(r.end_time, 3, 'UTC')`;

/**
 * Rows are stored newest `event_ts` first: the order in which every dashboard dedups (`ORDER BY event_ts
 * DESC LIMIT 1 BY id`), so its sort finds them nearly sorted (on a million calls, 3–45% less CPU per
 * dashboard, same rows). Copies between the tables keep the order ({@link KEEP_ORDER}).
 */
export const ROW_ORDER = 'ORDER BY event_ts DESC';

/** Settings of a copy that keeps the source table's row order (one reading thread). */
export const KEEP_ORDER = 'SETTINGS max_threads = 1';

/**
 * Ledger → observations. Our ledger fields without a Langfuse column become metadata keys, only when
 * they say something (a map lookup scans every key, so each key costs every dashboard a little):
 * provider, tenant_id, fallback and estimated (when true), price_source (when not the catalog), service.
 * The resolved model is `internal_model_id`, the tier `usage_pricing_tier_name`, the status `level`.
 */
export const FILL_OBSERVATIONS = `INSERT INTO observations
SELECT
  r.id,
  coalesce(nullIf(r.trace_id, ''), r.id) AS trace_id,
  coalesce(nullIf(r.project_id, ''), 'local') AS project_id,
  coalesce(nullIf(r.environment, ''), 'default') AS environment,
  coalesce(nullIf(r.type, ''), 'GENERATION') AS type,
  nullIf(r.parent_observation_id, '') AS parent_observation_id,
  ${START} AS start_time,
  ${END} AS end_time,
  ifNull(r.name, '') AS name,
  CAST(mapFilter((k, v) -> v != '', mapUpdate(CAST(r.metadata, 'Map(String, String)'), CAST(map(
    'provider', ifNull(r.provider, ''),
    'tenant_id', ifNull(r.tenant_id, ''),
    'fallback', if(r.fallback, 'true', ''),
    'estimated', if(r.estimated, 'true', ''),
    'price_source', if(r.source IN ('catalog', ''), '', ifNull(r.source, '')),
    'service', ifNull(r.service, '')
  ), 'Map(String, String)'))), 'Map(LowCardinality(String), String)') AS metadata,
  coalesce(nullIf(r.level, ''), if(r.status = 'error', 'ERROR', 'DEFAULT')) AS level,
  r.status_message,
  NULL AS version, NULL AS input, NULL AS output,
  r.provided_model_name,
  r.internal_model_id,
  NULL AS model_parameters,
  map() AS provided_usage_details,
  r.usage_details,
  r.provided_cost_details,
  r.cost_details,
  ${LEDGER_TOTAL_COST_SQL} AS total_cost,
  NULL AS completion_start_time, NULL AS prompt_id, NULL AS prompt_name, NULL AS prompt_version,
  now64(3) AS created_at, now64(3) AS updated_at,
  coalesce(${END}, ${START}) AS event_ts,
  0 AS is_deleted,
  NULL AS usage_pricing_tier_id,
  nullIf(r.tier, '') AS usage_pricing_tier_name
FROM ledger_raw AS r
${ROW_ORDER}`;

/**
 * Ledger → traces: one row per (project, trace) with the trace-level attributes of its records. On one
 * thread ({@link KEEP_ORDER}), so that `any` takes a trace's first value in the ledger's order whatever
 * the blocks the staging rows came in (threads aggregating blocks of their own may each hold a value).
 */
export const FILL_TRACES = `INSERT INTO traces
SELECT
  coalesce(nullIf(r.trace_id, ''), r.id) AS tid,
  min(${START}) AS timestamp,
  ifNull(argMin(r.name, ${START}), '') AS name,
  any(nullIf(r.user_id, '')) AS user_id,
  -- The tenant stays on each record (observation metadata): records of one trace may differ.
  CAST(map(), 'Map(LowCardinality(String), String)') AS metadata,
  NULL AS release, NULL AS version,
  coalesce(nullIf(r.project_id, ''), 'local') AS pid,
  ifNull(any(nullIf(r.environment, '')), 'default') AS environment,
  false AS public, false AS bookmarked,
  arraySort(groupUniqArrayArray(r.tags)) AS tags,
  NULL AS input, NULL AS output,
  any(nullIf(r.session_id, '')) AS session_id,
  now64(3) AS created_at, now64(3) AS updated_at,
  max(coalesce(${END}, ${START})) AS event_ts,
  0 AS is_deleted
FROM ledger_raw AS r
GROUP BY pid, tid
${ROW_ORDER}
${KEEP_ORDER}`;
