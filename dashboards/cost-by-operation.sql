-- Title: Cost by operation
-- Answers: Which operations (chains, agents, named steps) cost the most, and on which models.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   operation           observation name, '(unnamed)' when empty
--   calls               calls, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   failed_calls        of those, calls with level ERROR
--   models              distinct model names, most expensive first (at most 5)
--   total_tokens        sum of usage_details['total']
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   avg_cost_per_call_usd  cost_usd / priced calls (calls − unpriced_calls); NULL when none
--   share_pct           this operation's percentage of the window's total cost
WITH
  obs AS (
    SELECT operation, model, level, total_tokens, total_cost
    FROM (
      SELECT id, project_id, if(name = '', '(unnamed)', name) AS operation, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, level,
             usage_details['total'] AS total_tokens, total_cost,
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
  per_model AS (
    SELECT
      operation,
      model,
      count() AS calls,
      countIf(total_cost IS NULL) AS unpriced_calls,
      countIf(level = 'ERROR') AS failed_calls,
      sum(total_tokens) AS total_tokens,
      sum(total_cost) AS cost
    FROM obs
    GROUP BY operation, model
  )
SELECT
  operation,
  sum(calls) AS calls,
  sum(unpriced_calls) AS unpriced_calls,
  sum(failed_calls) AS failed_calls,
  arraySlice(arrayMap(x -> x.2, arrayReverseSort(groupArray((ifNull(cost, 0), model)))), 1, 5) AS models,
  sum(total_tokens) AS total_tokens,
  sum(cost) AS cost_usd,
  cost_usd / nullIf(calls - unpriced_calls, 0) AS avg_cost_per_call_usd,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS share_pct
FROM per_model
GROUP BY operation
ORDER BY cost_usd DESC, operation ASC
