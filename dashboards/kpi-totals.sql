-- Title: KPI totals
-- Answers: The headline numbers for the window: total cost, calls, sessions analysed and the average cost per session and per request.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   total_cost_usd      sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   input_cost_usd      sum of the cost keys whose name contains "input" (priced calls; NULL when none)
--   output_cost_usd     sum of the cost keys whose name contains "output" (priced calls; NULL when none)
--   requests            calls, priced or not (generations, embeddings, anything carrying a cost)
--   unpriced_requests   of those, calls without a total cost (NULL total_cost): never counted as $0
--   failed_requests     calls with level ERROR
--   traces              distinct traces (turns)
--   sessions            distinct non-empty sessions analysed
--   users               distinct non-empty users
--   models              distinct model names
--   total_tokens        sum of usage_details['total']
--   avg_cost_per_request_usd  total_cost_usd / priced requests (requests − unpriced_requests; NULL when none)
--   avg_cost_per_trace_usd    total_cost_usd / traces with a priced call (NULL when none)
--   avg_cost_per_session_usd  cost of the priced calls that belong to a session / sessions with a priced call (NULL when none)
--   first_call          start of the first call in the window (UTC)
--   last_call           start of the last call in the window (UTC)
WITH
  obs AS (
    SELECT trace_id, start_time, level, model, total_tokens, cost_details, total_cost
    FROM (
      SELECT id, project_id, trace_id, start_time, level, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model,
             usage_details['total'] AS total_tokens, cost_details, total_cost,
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
    SELECT id, user_id, session_id
    FROM (
      SELECT id, project_id, user_id, session_id, is_deleted
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
  sum(obs.total_cost) AS total_cost_usd,
  if(countIf(obs.total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0, sumMapIf(obs.cost_details, obs.total_cost IS NOT NULL))))) AS input_cost_usd,
  if(countIf(obs.total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0, sumMapIf(obs.cost_details, obs.total_cost IS NOT NULL))))) AS output_cost_usd,
  count() AS requests,
  countIf(obs.total_cost IS NULL) AS unpriced_requests,
  countIf(obs.level = 'ERROR') AS failed_requests,
  uniqExact(cityHash64(obs.trace_id)) AS traces,
  uniqExactIf(cityHash64(tr.session_id), ifNull(tr.session_id, '') != '') AS sessions,
  uniqExactIf(cityHash64(tr.user_id), ifNull(tr.user_id, '') != '') AS users,
  uniqExact(cityHash64(obs.model)) AS models,
  sum(obs.total_tokens) AS total_tokens,
  toFloat64(total_cost_usd) / nullIf(requests - unpriced_requests, 0) AS avg_cost_per_request_usd,
  toFloat64(total_cost_usd) / nullIf(uniqExactIf(cityHash64(obs.trace_id), obs.total_cost IS NOT NULL), 0) AS avg_cost_per_trace_usd,
  toFloat64(sumIf(obs.total_cost, ifNull(tr.session_id, '') != ''))
    / nullIf(uniqExactIf(cityHash64(tr.session_id), ifNull(tr.session_id, '') != '' AND obs.total_cost IS NOT NULL), 0) AS avg_cost_per_session_usd,
  if(requests = 0, NULL, min(obs.start_time)) AS first_call,
  if(requests = 0, NULL, max(obs.start_time)) AS last_call
FROM obs
LEFT JOIN tr ON tr.id = obs.trace_id
