-- Title: Cost per hour
-- Answers: When in the day the money is spent: cost and calls per clock hour.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -2d          window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   timeZone String = UTC             IANA time zone the hours are shown in
-- Columns:
--   hour                start of the hour in timeZone (hours without calls are absent)
--   calls               calls in that hour, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   total_tokens        sum of usage_details['total']
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
WITH
  obs AS (
    SELECT start_time, total_tokens, total_cost
    FROM (
      SELECT id, project_id, start_time, usage_details['total'] AS total_tokens, total_cost,
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
  toStartOfHour(start_time, {timeZone:String}) AS hour,
  count() AS calls,
  countIf(total_cost IS NULL) AS unpriced_calls,
  sum(total_tokens) AS total_tokens,
  sum(total_cost) AS cost_usd
FROM obs
GROUP BY hour
ORDER BY hour ASC
