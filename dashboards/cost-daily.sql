-- Title: Cost per day
-- Answers: How much was spent each calendar day, with calls, tokens and the input/output split.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   timeZone String = UTC             IANA time zone the calendar days are cut in
-- Columns:
--   day                 calendar day in timeZone (days without calls are absent)
--   calls               calls that day, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   total_tokens        sum of usage_details['total']
--   input_cost_usd      sum of the cost keys whose name contains "input" (priced calls; NULL when none)
--   output_cost_usd     sum of the cost keys whose name contains "output" (priced calls; NULL when none)
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
WITH
  obs AS (
    SELECT start_time, total_tokens, cost_details, total_cost
    FROM (
      SELECT id, project_id, start_time, usage_details['total'] AS total_tokens, cost_details, total_cost,
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
  toDate(start_time, {timeZone:String}) AS day,
  count() AS calls,
  countIf(total_cost IS NULL) AS unpriced_calls,
  sum(total_tokens) AS total_tokens,
  if(countIf(total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0, sumMapIf(cost_details, total_cost IS NOT NULL))))) AS input_cost_usd,
  if(countIf(total_cost IS NOT NULL) = 0, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0, sumMapIf(cost_details, total_cost IS NOT NULL))))) AS output_cost_usd,
  sum(total_cost) AS cost_usd
FROM obs
GROUP BY day
ORDER BY day ASC
