-- Title: Token efficiency by model
-- Answers: What a model costs per 1,000 tokens, how much it writes per token read, and how much of its input came from the prompt cache.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   model               provided model name, '(unknown)' when empty
--   calls               calls in the window, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   input_tokens        sum of the usage keys whose name contains "input" (uncached, cache reads, cache writes; not units: audio seconds, characters, images, GPU milliseconds)
--   cached_input_tokens sum of the cache-read keys: names containing "input" and "cached" or "cache_read"
--   output_tokens       sum of the usage keys whose name contains "output" (not units: audio seconds, characters, images, GPU milliseconds)
--   total_tokens        sum of usage_details['total']
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   cost_per_1k_tokens_usd  cost_usd × 1000 / the total_tokens of the priced calls (NULL when none)
--   output_input_ratio  output_tokens / input_tokens (NULL when no input)
--   cache_hit_pct       100 × cached_input_tokens / input_tokens (NULL when no input)
--   avg_tokens_per_call total_tokens / calls
WITH
  obs AS (
    SELECT model, usage_details, total_tokens, if(total_cost IS NULL, 0, total_tokens) AS priced_tokens, total_cost
    FROM (
      SELECT id, project_id, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, usage_details, usage_details['total'] AS total_tokens, total_cost,
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
  arraySum(mapValues(mapFilter(
    x -> positionCaseInsensitive(x.1, 'input') > 0
      AND (positionCaseInsensitive(x.1, 'cached') > 0 OR positionCaseInsensitive(x.1, 'cache_read') > 0),
    sumMap(usage_details)))) AS cached_input_tokens,
  arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0 AND x.1 NOT IN ('input_audio_seconds', 'input_characters', 'output_images', 'input_gpu_milliseconds'), sumMap(usage_details)))) AS output_tokens,
  sum(total_tokens) AS total_tokens,
  sum(total_cost) AS cost_usd,
  if(sum(priced_tokens) = 0, NULL, toFloat64(cost_usd) * 1000 / sum(priced_tokens)) AS cost_per_1k_tokens_usd,
  if(input_tokens = 0, NULL, round(output_tokens / input_tokens, 4)) AS output_input_ratio,
  if(input_tokens = 0, NULL, round(100 * cached_input_tokens / input_tokens, 2)) AS cache_hit_pct,
  round(total_tokens / calls, 1) AS avg_tokens_per_call
FROM obs
GROUP BY model
ORDER BY cost_usd DESC, model ASC
