-- Title: Cost by environment
-- Answers: What each deployment environment (production, staging, …) costs, and its share of the spend.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   environment         observation environment (Langfuse's column; 'default' when none was set)
--   calls               calls, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   users               distinct non-empty trace users
--   sessions            distinct non-empty trace sessions
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   share_pct           this environment's percentage of the window's total cost
WITH
  obs AS (
    SELECT trace_id, environment, total_cost
    FROM (
      SELECT id, project_id, trace_id, environment, total_cost,
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
  if(obs.environment != '', obs.environment, 'default') AS environment,
  count() AS calls,
  countIf(obs.total_cost IS NULL) AS unpriced_calls,
  uniqExactIf(cityHash64(tr.user_id), ifNull(tr.user_id, '') != '') AS users,
  uniqExactIf(cityHash64(tr.session_id), ifNull(tr.session_id, '') != '') AS sessions,
  sum(obs.total_cost) AS cost_usd,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS share_pct
FROM obs
LEFT JOIN tr ON tr.id = obs.trace_id
GROUP BY environment
ORDER BY cost_usd DESC, environment ASC
