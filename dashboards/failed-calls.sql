-- Title: Failed calls and their cost
-- Answers: Which calls failed (level ERROR), why, and what they still cost; the most recent first.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   limit UInt32 = 100                how many failed calls to list
-- Columns:
--   start_time          when the call started (UTC)
--   id                  observation id
--   trace_id            trace id
--   model               provided model name, '(unknown)' when empty
--   operation           observation name, '(unnamed)' when empty
--   status_message      the error message Langfuse stored ('' when none)
--   total_tokens        usage_details['total'] billed before the failure
--   cost_usd            total_cost of the failed call (NULL when unpriced)
--   failed_calls_in_window  number of failed calls in the whole window (same on every row)
--   failed_cost_in_window_usd  cost of the priced failed calls in the window, NULL when none is priced (same on every row)
WITH
  obs AS (
    SELECT id, trace_id, start_time, model, operation, status_message, total_tokens, total_cost
    FROM (
      SELECT id, project_id, trace_id, start_time, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, if(name = '', '(unnamed)', name) AS operation, level, status_message,
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
      AND level = 'ERROR'
  )
SELECT
  start_time,
  id,
  trace_id,
  model,
  operation,
  ifNull(status_message, '') AS status_message,
  total_tokens,
  total_cost AS cost_usd,
  count() OVER () AS failed_calls_in_window,
  sum(total_cost) OVER () AS failed_cost_in_window_usd
FROM obs
ORDER BY start_time DESC, id ASC
LIMIT {limit:UInt32}
