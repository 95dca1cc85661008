/**
 * The support handbook of a made-up SaaS ("Acme Cloud"). It is long on purpose: it goes in the
 * system prompt of every triage call, where prompt caching makes the second and later calls cheap.
 * Providers cache only prompts of 1024+ tokens, so it is built from enough sections to pass that.
 */

const plans = [
  ['Free', '$0', '1 project, 3 seats, 10k API calls a month, community support'],
  [
    'Starter',
    '$29 a month',
    '5 projects, 10 seats, 250k API calls a month, email support within 2 business days',
  ],
  [
    'Team',
    '$99 a month',
    '25 projects, 50 seats, 2M API calls a month, email support within 1 business day, SSO',
  ],
  [
    'Business',
    '$499 a month',
    'unlimited projects, 250 seats, 20M API calls, 4-hour support, SSO, audit log',
  ],
  [
    'Enterprise',
    'contract',
    'custom limits, 1-hour support for severity 1, dedicated manager, data residency',
  ],
] as const;

const policies = [
  [
    'Refunds',
    'Annual plans are refundable pro rata within 30 days of purchase or renewal. Monthly plans are not refunded, but a downgrade takes effect at the end of the billing period. Refunds go back to the original payment method within 10 business days. Never promise a refund outside these rules; escalate to billing instead.',
  ],
  [
    'Billing errors',
    'If a customer was charged twice, or charged after cancelling, confirm the invoice numbers, then open a billing ticket with priority high. Tell the customer the duplicate charge is reversed within 5 business days. Do not ask for full card numbers; the last four digits are enough.',
  ],
  [
    'Outages',
    'Check the status page first. During a declared incident, link the incident page, give no time estimate that the incident page does not give, and tag the ticket incident-<id>. Service credits follow the SLA: 10% of the monthly fee for availability under 99.9%, 25% under 99.0%, applied on request within 30 days.',
  ],
  [
    'Data export',
    'Every plan can export all data as JSON or CSV from Settings → Export. Exports of more than 5 GB are split into parts and emailed as links that expire after 7 days. Enterprise customers can ask for a direct transfer to their own bucket.',
  ],
  [
    'Account access',
    'Password resets are self-service. If the customer lost access to the email address, verify ownership with two of: last invoice amount, workspace creation date, the last four digits of the card. Never change the owner of a workspace without written confirmation from the current owner or a verified admin.',
  ],
  [
    'Security reports',
    'Thank the reporter, do not discuss details in the ticket, and forward it to security@acme.example. Do not confirm or deny a vulnerability. Bounties are decided by the security team only.',
  ],
  [
    'API limits',
    'Rate limits are per workspace: 20 requests per second on Starter, 100 on Team, 500 on Business. A 429 answer carries a Retry-After header. Customers who need more should upgrade or ask sales for a temporary raise, which needs a reason and an end date.',
  ],
  [
    'Integrations',
    'Official integrations: Slack, Microsoft Teams, GitHub, GitLab, Jira, Linear, PagerDuty, Zapier. Webhooks retry with exponential backoff for 24 hours. A webhook that fails 1,000 times in a row is disabled, and the workspace admins get an email.',
  ],
  [
    'Cancellations',
    'A customer can cancel from Settings → Billing at any time. Data stays available read-only for 30 days, then it is deleted for good. Offer a pause (up to 3 months, Team plan and above) before confirming a cancellation, once, without pressure.',
  ],
  [
    'Tone',
    'Be brief and concrete. Use the customer\'s name when known. Say what will happen next and when. Do not blame the customer or a colleague. Do not use exclamation marks in apologies. Sign as "Acme Support".',
  ],
  [
    'Escalation',
    'Escalate to tier 2 when a fix needs database access, when a customer threatens legal action, when the customer is on Enterprise and reports severity 1, or when three replies did not solve the problem. Write a one-paragraph summary for tier 2: what the customer wants, what was tried, what is left.',
  ],
  [
    'Privacy requests',
    'Deletion and access requests under GDPR or CCPA go to privacy@acme.example and are answered within 30 days. Confirm receipt to the customer, do not delete data yourself, and do not ask why they want it.',
  ],
] as const;

const faqs = [
  [
    'Can I change my plan in the middle of a month?',
    'Yes. Upgrades apply at once and are prorated; downgrades apply at the end of the period.',
  ],
  [
    'Do you offer discounts for non-profits?',
    'Yes, 50% off Starter and Team for registered non-profits, on request with proof of status.',
  ],
  [
    'Where is my data stored?',
    'In the EU (Frankfurt) by default; US (Virginia) on request; Enterprise can choose another region.',
  ],
  [
    'Can I get an invoice with my VAT number?',
    'Yes. Add it under Settings → Billing; it appears on invoices issued after the change.',
  ],
  [
    'How do I add a seat?',
    'Settings → Members → Invite. Seats are billed prorated from the day of the invitation.',
  ],
  [
    'Is there an on-premise version?',
    'Only for Enterprise, as a managed single-tenant deployment; there is no self-hosted download.',
  ],
  [
    'How long are logs kept?',
    '30 days on Free and Starter, 90 days on Team, 1 year on Business and Enterprise.',
  ],
  [
    'Can two workspaces be merged?',
    'Yes, by support, for workspaces on the same plan; it takes up to 2 business days.',
  ],
] as const;

const knownIssues = [
  [
    'KI-311',
    'CSV exports of more than 1M rows time out in the browser',
    'use the emailed export instead; fix planned for the December release',
  ],
  [
    'KI-318',
    'Slack notifications arrive twice after reinstalling the app',
    'remove the old app from the Slack workspace, then reconnect',
  ],
  [
    'KI-322',
    'SSO login loops on Safari with third-party cookies blocked',
    'allow cookies for login.acme.example or use another browser',
  ],
  [
    'KI-327',
    'Invoices show the old company name after a rename',
    'support can reissue the invoice; open a billing ticket',
  ],
  ['KI-330', 'API returns 502 for payloads above 10 MB', 'split the payload; the documented limit is 10 MB'],
  [
    'KI-334',
    'Webhook signatures fail when the secret contains a trailing space',
    'rotate the secret from Settings → Webhooks',
  ],
  [
    'KI-337',
    'Two-factor codes are rejected when the phone clock is off by more than 30 seconds',
    'sync the phone clock',
  ],
  [
    'KI-341',
    'Usage charts lag by up to 15 minutes',
    'expected; billing uses the exact counts, not the charts',
  ],
] as const;

/** The handbook text (≈ 1,700 tokens). */
export const HANDBOOK = [
  'ACME CLOUD SUPPORT HANDBOOK (internal; version 2026-11)',
  '',
  'PLANS',
  ...plans.map(([name, price, what]) => `- ${name} (${price}): ${what}.`),
  '',
  'POLICIES',
  ...policies.map(([title, text]) => `${title}. ${text}`),
  '',
  'FREQUENT QUESTIONS',
  ...faqs.map(([q, a]) => `Q: ${q}\nA: ${a}`),
  '',
  'KNOWN ISSUES',
  ...knownIssues.map(([id, what, workaround]) => `${id}: ${what}. Workaround: ${workaround}.`),
  '',
  'CATEGORIES for triage: billing, outage, account, security, api, integrations, cancellation, privacy, other.',
  'PRIORITIES: low (question), normal (something is inconvenient), high (money or access at stake), urgent (production down for a paying customer).',
].join('\n');
