-- Title: Top sessions by cost
-- Answers: Which conversations (sessions) cost the most, how many turns they took and who ran them.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   limit UInt32 = 25                 how many sessions to list
-- Columns:
--   session_id          trace session id (calls whose trace has no session are left out)
--   user_id             a user of the session, '(none)' when unset
--   traces              distinct traces (turns) in the session
--   calls               calls in the session, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   models              distinct model names used
--   first_call          start of the session's first call in the window (UTC)
--   last_call           start of the session's last call in the window (UTC)
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   avg_cost_per_trace_usd  cost_usd / the traces with a priced call; NULL when none
WITH
  obs AS (
    SELECT trace_id, start_time, model, total_cost
    FROM (
      SELECT id, project_id, trace_id, start_time, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, total_cost,
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
  tr AS (
    SELECT id, user_id, session_id
    FROM (
      SELECT id, project_id, user_id, session_id, is_deleted
      FROM traces
      WHERE project_id = {projectId:String}
        AND id IN (
          SELECT trace_id FROM observations
          WHERE project_id = {projectId:String}
            AND start_time >= {from:DateTime64(3)}
            AND start_time < {to:DateTime64(3)}
        )
      ORDER BY event_ts DESC
      LIMIT 1 BY id, project_id
    )
    WHERE is_deleted = 0 AND ifNull(session_id, '') != ''
  )
SELECT
  assumeNotNull(tr.session_id) AS session_id,
  coalesce(nullIf(any(tr.user_id), ''), '(none)') AS user_id,
  uniqExact(cityHash64(obs.trace_id)) AS traces,
  count() AS calls,
  countIf(obs.total_cost IS NULL) AS unpriced_calls,
  uniqExact(cityHash64(obs.model)) AS models,
  min(obs.start_time) AS first_call,
  max(obs.start_time) AS last_call,
  sum(obs.total_cost) AS cost_usd,
  cost_usd / nullIf(uniqExactIf(cityHash64(obs.trace_id), obs.total_cost IS NOT NULL), 0) AS avg_cost_per_trace_usd
FROM obs
INNER JOIN tr ON tr.id = obs.trace_id
GROUP BY session_id
ORDER BY cost_usd DESC, session_id ASC
LIMIT {limit:UInt32}
