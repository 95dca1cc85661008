-- Title: Days over budget
-- Answers: On which days the spend went over a daily budget, and by how much.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -90d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   budget Decimal64(6) = 10          daily budget in USD; a day is listed when its cost is strictly above it
--   timeZone String = UTC             IANA time zone the calendar days are cut in
-- Columns:
--   day                 calendar day in timeZone
--   calls               calls that day, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   cost_usd            that day's sum of total_cost of the priced calls (a day with none is never over)
--   budget_usd          the budget parameter
--   over_by_usd         cost_usd − budget_usd
--   over_pct            100 × over_by_usd / budget_usd (NULL for a zero budget)
WITH
  obs AS (
    SELECT start_time, total_cost
    FROM (
      SELECT id, project_id, start_time, total_cost,
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
  sum(total_cost) AS cost_usd,
  {budget:Decimal64(6)} AS budget_usd,
  cost_usd - budget_usd AS over_by_usd,
  if(budget_usd = 0, NULL, round(100 * toFloat64(over_by_usd) / toFloat64(budget_usd), 2)) AS over_pct
FROM obs
GROUP BY day
HAVING cost_usd > budget_usd
ORDER BY day ASC
