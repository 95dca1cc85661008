-- Title: Most expensive requests
-- Answers: Which single calls cost the most, with their model, operation, user, session and tokens.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
--   limit UInt32 = 25                 how many requests to list
-- Columns:
--   start_time          when the call started (UTC)
--   id                  observation id (span / run id)
--   trace_id            trace id
--   model               provided model name, '(unknown)' when empty
--   operation           observation name, '(unnamed)' when empty
--   user_id             trace user, '(none)' when unset
--   session_id          trace session, '(none)' when unset
--   input_tokens        sum of the usage keys whose name contains "input" (not units: audio seconds, characters, images, GPU milliseconds)
--   output_tokens       sum of the usage keys whose name contains "output" (not units: audio seconds, characters, images, GPU milliseconds)
--   input_cost_usd      sum of the cost keys whose name contains "input" (NULL when unpriced)
--   output_cost_usd     sum of the cost keys whose name contains "output" (NULL when unpriced)
--   cost_usd            total_cost (NULL when unpriced; unpriced calls come last)
WITH
  obs AS (
    SELECT id, trace_id, start_time, model, operation, usage_details, cost_details, total_cost
    FROM (
      SELECT id, project_id, trace_id, start_time, coalesce(nullIf(provided_model_name, ''), '(unknown)') AS model, if(name = '', '(unnamed)', name) AS operation,
             usage_details, cost_details, total_cost,
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
    ORDER BY ifNull(total_cost, 0) DESC, start_time DESC, id ASC
    LIMIT {limit:UInt32}
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
    WHERE is_deleted = 0
  )
SELECT
  obs.start_time AS start_time,
  obs.id AS id,
  obs.trace_id AS trace_id,
  obs.model AS model,
  obs.operation AS operation,
  coalesce(nullIf(tr.user_id, ''), '(none)') AS user_id,
  coalesce(nullIf(tr.session_id, ''), '(none)') AS session_id,
  arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0 AND x.1 NOT IN ('input_audio_seconds', 'input_characters', 'output_images', 'input_gpu_milliseconds'), obs.usage_details))) AS input_tokens,
  arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0 AND x.1 NOT IN ('input_audio_seconds', 'input_characters', 'output_images', 'input_gpu_milliseconds'), obs.usage_details))) AS output_tokens,
  if(obs.total_cost IS NULL, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'input') > 0, obs.cost_details)))) AS input_cost_usd,
  if(obs.total_cost IS NULL, NULL,
     arraySum(mapValues(mapFilter(x -> positionCaseInsensitive(x.1, 'output') > 0, obs.cost_details)))) AS output_cost_usd,
  obs.total_cost AS cost_usd
FROM obs
LEFT JOIN tr ON tr.id = obs.trace_id
ORDER BY obs.total_cost DESC NULLS LAST, obs.start_time DESC, obs.id ASC
