-- Title: Cost by tenant
-- Answers: What each tenant (customer, organisation) costs, for chargeback and per-tenant budgets.
-- Params:
--   projectId String = local          Langfuse project id (the local ledger writes "local")
--   from DateTime64(3) = -30d         window start, inclusive (ISO date or time in UTC, or -30d / -12h / now)
--   to DateTime64(3) = now            window end, exclusive
-- Columns:
--   tenant_id           observation metadata['tenant_id'], else the trace's metadata['tenant_id'];
--                       '(none)' when neither is set (Langfuse has no tenant column)
--   calls               calls, priced or not
--   unpriced_calls      calls without a total cost (NULL total_cost): counted here, never as $0
--   users               distinct non-empty trace users
--   sessions            distinct non-empty trace sessions
--   cost_usd            sum of total_cost of the priced calls; NULL when none is priced (never $0)
--   share_pct           this tenant's percentage of the window's total cost
WITH
  obs AS (
    SELECT trace_id, obs_tenant, total_cost
    FROM (
      SELECT id, project_id, trace_id, metadata['tenant_id'] AS obs_tenant, total_cost,
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
    SELECT id, user_id, session_id, trace_tenant
    FROM (
      SELECT id, project_id, user_id, session_id, metadata['tenant_id'] AS trace_tenant, is_deleted
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
  multiIf(obs.obs_tenant != '', obs.obs_tenant, tr.trace_tenant != '', tr.trace_tenant, '(none)') AS tenant_id,
  count() AS calls,
  countIf(obs.total_cost IS NULL) AS unpriced_calls,
  uniqExactIf(cityHash64(tr.user_id), ifNull(tr.user_id, '') != '') AS users,
  uniqExactIf(cityHash64(tr.session_id), ifNull(tr.session_id, '') != '') AS sessions,
  sum(obs.total_cost) AS cost_usd,
  round(100 * toFloat64(cost_usd) / nullIf(toFloat64(sum(cost_usd) OVER ()), 0), 2) AS share_pct
FROM obs
LEFT JOIN tr ON tr.id = obs.trace_id
GROUP BY tenant_id
ORDER BY cost_usd DESC, tenant_id ASC
