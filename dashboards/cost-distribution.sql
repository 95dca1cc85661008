-- Title: Cost distribution per model
-- Answers: What a typical call costs on each model and how heavy the tail is (median, p90, p99, max).
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   model               provided model name, '(unknown)' when empty
--   calls               calls, priced or not
--   unpriced_calls      of those, calls without a total cost: left out of every figure below
--   min_usd             cheapest priced call (NULL when none is priced, as are the figures below)
--   p50_usd             median call cost (quantileExact: the value at position floor(0.5 × n) of the sorted costs)
--   p90_usd             90th percentile (same method)
--   p99_usd             99th percentile (same method)
--   max_usd             most expensive call
--   avg_usd             mean cost of the priced calls
--   cost_usd            sum of total_cost of the priced calls
WITH
  obs AS (
    SELECT model, total_cost AS cost
    FROM (
      SELECT id, project_id, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, total_cost,
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
  model,
  count() AS calls,
  countIf(cost IS NULL) AS unpriced_calls,
  -- Aggregates of a Nullable column skip NULLs (and give NULL when every value is NULL).
  min(cost) AS min_usd,
  quantileExact(0.5)(cost) AS p50_usd,
  quantileExact(0.9)(cost) AS p90_usd,
  quantileExact(0.99)(cost) AS p99_usd,
  max(cost) AS max_usd,
  sum(cost) / nullIf(calls - unpriced_calls, 0) AS avg_usd,
  sum(cost) AS cost_usd
FROM obs
GROUP BY model
ORDER BY cost_usd DESC, model ASC
