-- Title: Cumulative cost
-- Answers: How the spend adds up over the window: each day's cost and the running total to date.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   timeZone String = UTC             IANA time zone the calendar days are cut in
-- Columns:
--   day                 calendar day in timeZone (days without calls are absent)
--   cost_usd            that day's sum of total_cost of the priced calls; NULL when none is priced
--   cumulative_cost_usd running total of cost_usd from the window start to the end of that day (NULL until a call is priced)
--   cumulative_calls    running count of calls, priced or not
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
  ),
  daily AS (
    SELECT toDate(start_time, {timeZone:String}) AS day, count() AS calls, sum(total_cost) AS cost
    FROM obs
    GROUP BY day
  )
SELECT
  day,
  cost AS cost_usd,
  sum(cost) OVER (ORDER BY day ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_cost_usd,
  sum(calls) OVER (ORDER BY day ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_calls
FROM daily
ORDER BY day ASC
