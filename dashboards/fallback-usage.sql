-- Title: Primary vs fallback model usage
-- Answers: How often calls fell back from the primary model to a fallback one, and what the fallbacks cost.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   role                'fallback' when metadata['fallback'] is true/1/yes, else 'primary'
--   model               provided model name, '(unknown)' when empty
--   calls               calls in this role on this model, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   failed_calls        of those, calls with level ERROR
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   avg_cost_per_call_usd  cost_usd / priced calls (calls − unpriced_calls); NULL when none
--   calls_share_pct     percentage of all calls in the window
--   cost_share_pct      percentage of the window's total cost (NULL when unpriced)
WITH
  obs AS (
    SELECT role, model, level, total_cost
    FROM (
      SELECT id, project_id, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, level, total_cost,
             if(lower(metadata['fallback']) IN ('true', '1', 'yes'), 'fallback', 'primary') AS role,
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
  )
SELECT
  role,
  model,
  count() AS calls,
  countIf(total_cost IS NULL) AS unpriced_calls,
  countIf(level = 'ERROR') AS failed_calls,
  sum(total_cost) AS cost_usd,
  cost_usd / nullIf(calls - unpriced_calls, 0) AS avg_cost_per_call_usd,
  round(100 * calls / sum(calls) OVER (), 2) AS calls_share_pct,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS cost_share_pct
FROM obs
GROUP BY role, model
ORDER BY role DESC, cost_usd DESC, model ASC
