-- Title: Cost by provider
-- Answers: How the spend splits across providers (OpenAI, Anthropic, Google, Bedrock, …), with calls and models used.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   provider            metadata['provider'], else metadata['ls_provider'], else the gen_ai provider/system
--                       attribute; '(unknown)' when none is set (Langfuse has no provider column)
--   calls               calls in the window, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   models              distinct model names seen for this provider
--   input_cost_usd      sum of the cost keys whose name contains "input" (priced calls; NULL when none)
--   output_cost_usd     sum of the cost keys whose name contains "output" (priced calls; NULL when none)
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   share_pct           this provider's percentage of the window's total cost
WITH
  obs AS (
    SELECT provider, model, cost_details, total_cost
    FROM (
      SELECT id, project_id, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model,
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
             cost_details, total_cost,
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
  provider,
  count() AS calls,
  countIf(total_cost IS NULL) AS unpriced_calls,
  uniqExact(cityHash64(model)) AS models,
  if(countIf(total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0, sumMapIf(cost_details, total_cost IS NOT NULL))))) AS input_cost_usd,
  if(countIf(total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0, sumMapIf(cost_details, total_cost IS NOT NULL))))) AS output_cost_usd,
  sum(total_cost) AS cost_usd,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS share_pct
FROM obs
GROUP BY provider
ORDER BY cost_usd DESC, provider ASC
