-- Title: Report calls
-- Answers: The single calls the HTML report lists: the most expensive calls of the window and of each model, provider, user, environment, tag and time bucket, and the most recent failed calls, each with everything the report filters by.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   timeZone String = UTC             IANA time zone of the buckets
--   bucket String = day               width of a time bucket: hour, else day
--   limit UInt32 = 200                how many of the most expensive, and of the most recent failed, calls to list
--   perGroup UInt32 = 10              how many of the most expensive calls of each model, provider, user, environment, tag and bucket to list too
-- Columns:
--   start_time          when the call started, in timeZone (YYYY-MM-DD hh:mm:ss.sss)
--   bucket              start of its time bucket in timeZone (as in report-facts)
--   id                  observation id
--   trace_id            trace id
--   session_id          trace session, '' when unset
--   model               provided model name, '(unknown)' when empty
--   provider            metadata provider, '(unknown)' when unset
--   user_id             trace user, '' when unset
--   tenant_id           observation metadata['tenant_id'], else the trace's; '' when neither
--   operation           observation name, '(unnamed)' when empty
--   environment         observation environment
--   tags                trace tags, sorted
--   failed              1 when level is ERROR
--   status_message      the error message ('' when none)
--   total_tokens        usage_details['total']
--   cost_usd            exact decimal text of total_cost; NULL when unpriced
--   top_rank            rank among the most expensive calls (priced first, then newest), 0 when not listed as such
--   failed_rank         rank among the most recent failed calls, 0 when not listed as such
WITH
  obs AS (
    SELECT id, trace_id, start_time, model, provider, obs_tenant, operation, environment, level, status_message,
           total_tokens, total_cost,
           toString(if({bucket:String} = 'hour', toStartOfHour(start_time, {timeZone:String}),
                       toDateTime(toStartOfDay(start_time, {timeZone:String}), {timeZone:String}))) AS bucket
    FROM (
      SELECT id, project_id, trace_id, start_time, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model,
             multiIf(
               metadata['provider'] != '', metadata['provider'],
               metadata['ls_provider'] != '', metadata['ls_provider'],
               metadata['gen_ai.provider.name'] != '', metadata['gen_ai.provider.name'],
               metadata['gen_ai.system'] != '', metadata['gen_ai.system'],
               JSONExtractString(metadata['attributes'], 'gen_ai.provider.name') != '',
               JSONExtractString(metadata['attributes'], 'gen_ai.provider.name'),
               JSONExtractString(metadata['attributes'], 'gen_ai.system') != '',
               JSONExtractString(metadata['attributes'], 'gen_ai.system'),
               '(unknown)'
             ) AS provider,
             metadata['tenant_id'] AS obs_tenant, if(name = '', '(unnamed)', name) AS operation,
             environment, level, status_message, usage_details['total'] AS total_tokens, total_cost,
             type IN ('GENERATION', 'EMBEDDING') OR length(cost_details) > 0 AS is_call,
             event_ts, is_deleted
      FROM observations
      WHERE project_id = {projectId:String}
        AND start_time >= {from:DateTime64(3)}
        AND start_time < {to:DateTime64(3)}
      ORDER BY event_ts DESC
      LIMIT 1 BY id, project_id
    )
    WHERE is_deleted = 0 AND is_call
  ),
  tr AS (
    SELECT id, user_id, session_id, tags, trace_tenant
    FROM (
      SELECT id, project_id, user_id, session_id, tags, metadata['tenant_id'] AS trace_tenant, is_deleted
      FROM traces
      WHERE project_id = {projectId:String}
        AND id IN (
          SELECT trace_id FROM observations
          WHERE project_id = {projectId:String}
            AND start_time >= {from:DateTime64(3)}
            AND start_time < {to:DateTime64(3)}
        )
      ORDER BY event_ts DESC
      LIMIT 1 BY id, project_id
    )
    WHERE is_deleted = 0
  ),
  joined AS (
    SELECT obs.*, ifNull(tr.user_id, '') AS user_id, ifNull(tr.session_id, '') AS session_id,
           arraySort(ifNull(tr.tags, [])) AS tags,
           multiIf(obs.obs_tenant != '', obs.obs_tenant, tr.trace_tenant != '', tr.trace_tenant, '') AS tenant_id
    FROM obs
    LEFT JOIN tr ON tr.id = obs.trace_id
  ),
  ranked AS (
    SELECT *,
           -- Dearest first: priced before unpriced, then the newest, then by id.
           row_number() OVER (ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC) AS by_cost,
           if(level = 'ERROR', row_number() OVER (PARTITION BY level = 'ERROR' ORDER BY start_time DESC, id ASC), 0) AS by_failure,
           least(
             row_number() OVER (PARTITION BY model ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC),
             row_number() OVER (PARTITION BY provider ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC),
             row_number() OVER (PARTITION BY user_id ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC),
             row_number() OVER (PARTITION BY environment ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC),
             row_number() OVER (PARTITION BY bucket ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC)
           ) AS by_group
    FROM joined
  ),
  -- The dearest calls of each tag (a call has as many tags as its trace).
  by_tag AS (
    SELECT id
    FROM (
      SELECT id, row_number() OVER (PARTITION BY tag ORDER BY ifNull(total_cost, -1) DESC, start_time DESC, id ASC) AS r
      FROM joined
      ARRAY JOIN tags AS tag
    )
    WHERE r <= {perGroup:UInt32}
  )
SELECT
  toString(toTimeZone(start_time, {timeZone:String})) AS start_time,
  bucket,
  id,
  trace_id,
  session_id,
  model,
  provider,
  user_id,
  tenant_id,
  operation,
  environment,
  tags,
  toUInt8(level = 'ERROR') AS failed,
  ifNull(status_message, '') AS status_message,
  total_tokens,
  toString(total_cost) AS cost_usd,
  if(by_cost <= {limit:UInt32}, by_cost, 0) AS top_rank,
  if(by_failure <= {limit:UInt32}, by_failure, 0) AS failed_rank
FROM ranked
WHERE by_cost <= {limit:UInt32} OR (by_failure > 0 AND by_failure <= {limit:UInt32}) OR by_group <= {perGroup:UInt32}
   OR id IN (SELECT id FROM by_tag)
ORDER BY top_rank = 0, top_rank ASC, failed_rank ASC, id ASC
