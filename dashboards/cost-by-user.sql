-- Title: Cost by user
-- Answers: Which end users drive the spend: calls, sessions, cost and each user's share.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   limit UInt32 = 100                how many users to list
-- Columns:
--   user_id             trace user id, '(none)' for calls whose trace has no user
--   calls               calls, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   traces              distinct traces
--   sessions            distinct non-empty sessions
--   input_cost_usd      sum of the cost keys whose name contains "input" (priced calls; NULL when none)
--   output_cost_usd     sum of the cost keys whose name contains "output" (priced calls; NULL when none)
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   share_pct           this user's percentage of the window's total cost
WITH
  obs AS (
    SELECT trace_id, cost_details, total_cost
    FROM (
      SELECT id, project_id, trace_id, cost_details, total_cost,
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
  coalesce(nullIf(tr.user_id, ''), '(none)') AS user_id,
  count() AS calls,
  countIf(obs.total_cost IS NULL) AS unpriced_calls,
  uniqExact(cityHash64(obs.trace_id)) AS traces,
  uniqExactIf(cityHash64(tr.session_id), ifNull(tr.session_id, '') != '') AS sessions,
  if(countIf(obs.total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0, sumMapIf(obs.cost_details, obs.total_cost IS NOT NULL))))) AS input_cost_usd,
  if(countIf(obs.total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0, sumMapIf(obs.cost_details, obs.total_cost IS NOT NULL))))) AS output_cost_usd,
  sum(obs.total_cost) AS cost_usd,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS share_pct
FROM obs
LEFT JOIN tr ON tr.id = obs.trace_id
GROUP BY user_id
ORDER BY cost_usd DESC, user_id ASC
LIMIT {limit:UInt32}
