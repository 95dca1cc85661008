-- Title: Total cost by model
-- Answers: Which models the money goes to: calls, tokens, input and output cost, and each model's share of the total.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   model               provided model name, '(unknown)' when empty
--   calls               calls in the window, priced or not (generations, embeddings, anything carrying a cost)
--   unpriced_calls      of those, calls without a total cost (Langfuse stored NULL): never counted as $0
--   input_tokens        sum of the usage keys whose name contains "input" (cache reads and writes included; not units: audio seconds, characters, images, GPU milliseconds)
--   output_tokens       sum of the usage keys whose name contains "output" (reasoning included; not units: audio seconds, characters, images, GPU milliseconds)
--   input_cost_usd      sum of the cost keys whose name contains "input" (priced calls; NULL when none) (Langfuse's input cost)
--   output_cost_usd     sum of the cost keys whose name contains "output" (priced calls; NULL when none) (Langfuse's output cost)
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   avg_cost_per_call_usd  cost_usd / priced calls (calls − unpriced_calls); NULL when none
--   share_pct           this model's percentage of the window's total cost (NULL when unpriced)
WITH
  obs AS (
    SELECT model, usage_details, cost_details, total_cost
    FROM (
      SELECT id, project_id, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, usage_details, cost_details, total_cost,
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
  countIf(total_cost IS NULL) AS unpriced_calls,
  arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0 AND x.1 NOT IN ('input_audio_seconds', 'input_characters', 'output_images', 'input_gpu_milliseconds'), sumMap(usage_details)))) AS input_tokens,
  arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0 AND x.1 NOT IN ('input_audio_seconds', 'input_characters', 'output_images', 'input_gpu_milliseconds'), sumMap(usage_details)))) AS output_tokens,
  if(countIf(total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0, sumMapIf(cost_details, total_cost IS NOT NULL))))) AS input_cost_usd,
  if(countIf(total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0, sumMapIf(cost_details, total_cost IS NOT NULL))))) AS output_cost_usd,
  sum(total_cost) AS cost_usd,
  cost_usd / nullIf(calls - unpriced_calls, 0) AS avg_cost_per_call_usd,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS share_pct
FROM obs
GROUP BY model
ORDER BY cost_usd DESC, model ASC
