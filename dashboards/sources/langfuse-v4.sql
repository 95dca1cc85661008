-- Langfuse v4: present `events_core` as the v3 `observations` and `traces` tables.
-- The runner puts this CTE list in front of every dashboard when the source is `clickhouse-v4`,
-- so the dashboard files run unchanged. It uses the dashboard's own bound parameters
-- {projectId:String}, {from:DateTime64(3)} and {to:DateTime64(3)} to read only the window.
--
-- Mapping (events_core column → v3 column):
--   span_id → id; parent_span_id '' → parent_observation_id NULL; start/end/event_ts DateTime64(6) → (3);
--   model_id → internal_model_id; metadata_names/metadata_values → metadata Map;
--   total_cost: cost_details['total'], NULL when the key is absent. (Langfuse's own ALIAS reads 0 there;
--   NULL keeps an unpriced call visible as unpriced instead of as $0.)
-- Rows keep event_ts and is_deleted, so the dashboards' own "latest event_ts per id" dedup applies.
-- traces: one row per trace_id seen in the window, from the trace attributes denormalised on every span
-- (trace_name, user_id, session_id, tags, release, version); metadata = the root span's metadata
-- (parent_span_id = ''), which is where trace-level metadata such as tenant_id lives in v4.
observations AS (
  SELECT
    e.span_id AS id,
    e.trace_id AS trace_id,
    e.project_id AS project_id,
    e.environment AS environment,
    e.type AS type,
    nullIf(e.parent_span_id, '') AS parent_observation_id,
    toDateTime64(e.start_time, 3) AS start_time,
    CAST(e.end_time, 'Nullable(DateTime64(3))') AS end_time,
    e.name AS name,
    CAST(mapFromArrays(e.metadata_names, e.metadata_values), 'Map(LowCardinality(String), String)') AS metadata,
    e.level AS level,
    nullIf(e.status_message, '') AS status_message,
    nullIf(e.version, '') AS version,
    nullIf(e.provided_model_name, '') AS provided_model_name,
    nullIf(e.model_id, '') AS internal_model_id,
    nullIf(e.model_parameters, '') AS model_parameters,
    e.provided_usage_details AS provided_usage_details,
    e.usage_details AS usage_details,
    e.provided_cost_details AS provided_cost_details,
    e.cost_details AS cost_details,
    if(mapContains(e.cost_details, 'total'), e.cost_details['total'], NULL) AS total_cost,
    CAST(e.completion_start_time, 'Nullable(DateTime64(3))') AS completion_start_time,
    nullIf(e.prompt_id, '') AS prompt_id,
    nullIf(e.prompt_name, '') AS prompt_name,
    e.prompt_version AS prompt_version,
    toDateTime64(e.created_at, 3) AS created_at,
    toDateTime64(e.updated_at, 3) AS updated_at,
    toDateTime64(e.event_ts, 3) AS event_ts,
    e.is_deleted AS is_deleted,
    e.usage_pricing_tier_id AS usage_pricing_tier_id,
    e.usage_pricing_tier_name AS usage_pricing_tier_name
  FROM events_core AS e
  WHERE e.project_id = {projectId:String}
    AND e.start_time >= {from:DateTime64(3)}
    AND e.start_time < {to:DateTime64(3)}
),
traces AS (
  SELECT
    e.trace_id AS id,
    min(toDateTime64(e.start_time, 3)) AS timestamp,
    argMaxIf(e.trace_name, e.event_ts, e.trace_name != '') AS name,
    nullIf(argMaxIf(e.user_id, e.event_ts, e.user_id != ''), '') AS user_id,
    CAST(
      argMaxIf(mapFromArrays(e.metadata_names, e.metadata_values), e.event_ts, e.parent_span_id = ''),
      'Map(LowCardinality(String), String)'
    ) AS metadata,
    nullIf(argMaxIf(e.release, e.event_ts, e.release != ''), '') AS release,
    nullIf(argMaxIf(e.version, e.event_ts, e.version != ''), '') AS version,
    e.project_id AS project_id,
    argMax(e.environment, e.event_ts) AS environment,
    max(e.public) AS public,
    max(e.bookmarked) AS bookmarked,
    arraySort(groupUniqArrayArray(e.tags)) AS tags,
    CAST(NULL, 'Nullable(String)') AS input,
    CAST(NULL, 'Nullable(String)') AS output,
    nullIf(argMaxIf(e.session_id, e.event_ts, e.session_id != ''), '') AS session_id,
    min(toDateTime64(e.created_at, 3)) AS created_at,
    max(toDateTime64(e.updated_at, 3)) AS updated_at,
    max(toDateTime64(e.event_ts, 3)) AS event_ts,
    toUInt8(0) AS is_deleted
  FROM events_core AS e
  WHERE e.project_id = {projectId:String}
    AND e.is_deleted = 0
    -- Every span of the traces seen in the window, so a root span that started before it still counts.
    AND e.trace_id IN (
      SELECT trace_id FROM events_core
      WHERE project_id = {projectId:String}
        AND start_time >= {from:DateTime64(3)}
        AND start_time < {to:DateTime64(3)}
    )
  GROUP BY e.project_id, e.trace_id
)
