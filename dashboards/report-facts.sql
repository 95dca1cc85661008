-- Title: Report facts
-- Answers: The HTML report's data, aggregated before it is embedded: calls, tokens and cost per time bucket, model, provider, user, tenant, operation, environment, tag set and session, so the report can filter offline.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   timeZone String = UTC             IANA time zone of the buckets
--   bucket String = day               width of a time bucket: hour, else day
-- Columns:
--   bucket              start of the bucket in timeZone, YYYY-MM-DD hh:mm:ss
--   model               provided model name, '(unknown)' when empty
--   provider            metadata provider (provider, ls_provider, gen_ai.*), '(unknown)' when unset
--   user_id             trace user, '' when unset
--   tenant_id           observation metadata['tenant_id'], else the trace's; '' when neither
--   operation           observation name, '(unnamed)' when empty
--   environment         observation environment
--   tags                trace tags, sorted
--   session_id          trace session, '' when unset
--   calls               calls, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): never counted as $0
--   failed_calls        calls with level ERROR
--   total_tokens        sum of usage_details['total']
--   cost_usd            exact decimal text of the sum of total_cost of the priced calls; NULL when none is priced
--   provided_cost_usd   exact decimal text of the cost of priced calls whose cost was provided (provided_cost_details); NULL when none
--   estimated_cost_usd  exact decimal text of the cost of priced calls priced by estimate (metadata estimated = true); NULL when none
--   failed_cost_usd     exact decimal text of the cost of the priced failed calls; NULL when none
WITH
  obs AS (
    SELECT trace_id, start_time, model, provider, obs_tenant, operation, environment, level, total_tokens,
           total_cost, provided, estimated
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
             environment, level, usage_details['total'] AS total_tokens, total_cost,
             length(provided_cost_details) > 0 AS provided, metadata['estimated'] = 'true' AS estimated,
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
  )
SELECT
  toString(if({bucket:String} = 'hour', toStartOfHour(obs.start_time, {timeZone:String}),
              toDateTime(toStartOfDay(obs.start_time, {timeZone:String}), {timeZone:String}))) AS bucket,
  obs.model AS model,
  obs.provider AS provider,
  ifNull(tr.user_id, '') AS user_id,
  multiIf(obs.obs_tenant != '', obs.obs_tenant, tr.trace_tenant != '', tr.trace_tenant, '') AS tenant_id,
  obs.operation AS operation,
  obs.environment AS environment,
  arraySort(ifNull(tr.tags, [])) AS tags,
  ifNull(tr.session_id, '') AS session_id,
  count() AS calls,
  countIf(obs.total_cost IS NULL) AS unpriced_calls,
  countIf(obs.level = 'ERROR') AS failed_calls,
  sum(obs.total_tokens) AS total_tokens,
  toString(sum(obs.total_cost)) AS cost_usd,
  toString(sumIf(obs.total_cost, obs.provided)) AS provided_cost_usd,
  toString(sumIf(obs.total_cost, obs.estimated AND NOT obs.provided)) AS estimated_cost_usd,
  toString(sumIf(obs.total_cost, obs.level = 'ERROR')) AS failed_cost_usd
FROM obs
LEFT JOIN tr ON tr.id = obs.trace_id
GROUP BY bucket, model, provider, user_id, tenant_id, operation, environment, tags, session_id
ORDER BY bucket ASC, model ASC, provider ASC, user_id ASC, tenant_id ASC, operation ASC, environment ASC, tags ASC, session_id ASC
