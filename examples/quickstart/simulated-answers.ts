import { STEP_PROMPTS } from './support-app.js';

/**
 * Canned assistant answers for the offline demo: plausible text, picked by the step (from the
 * system prompt) and the ticket's topic (from keywords). The costs do not depend on the wording,
 * only on its length, which is realistic for each step.
 */

type Topic = 'billing' | 'api' | 'account';

function topicOf(user: string): Topic {
  const t = user.toLowerCase();
  // Account first: later tickets in a session carry the earlier (billing) conversation with them.
  if (/lost access|owner email|password/.test(t)) return 'account';
  if (/charge|invoice|refund|billed|twice/.test(t)) return 'billing';
  if (/429|rate|api|limit/.test(t)) return 'api';
  return 'account';
}

function customerOf(user: string): string {
  return /Customer: ([^\n]+)/.exec(user)?.[1] ?? /Ticket from ([^:]+):/.exec(user)?.[1] ?? 'there';
}

const TRIAGE: Record<Topic, string> = {
  billing:
    'category: billing\npriority: high\nsummary: The customer was charged twice for the Team plan this month and asks for the duplicate charge to be returned.',
  api: 'category: api\npriority: normal\nsummary: The customer hits 429 rate-limit errors on the Starter plan during nightly imports and asks how to avoid them.',
  account:
    'category: account\npriority: high\nsummary: The customer lost access to the owner email address of the workspace and cannot reset the password.',
};

const PLAN: Record<Topic, string> = {
  billing:
    '1. Confirm both invoice numbers and the last four card digits (Billing errors policy).\n2. Open a billing ticket with priority high for the duplicate charge.\n3. Tell the customer the duplicate is reversed within 5 business days.\n4. Do not offer extra credit; no refund rule applies beyond the duplicate.',
  api: '1. Explain the Starter limit of 20 requests per second and the Retry-After header (API limits policy).\n2. Suggest spreading the import or retrying after the given delay.\n3. Mention the Team plan limit of 100 requests per second as an option.\n4. Offer a temporary raise through sales only with a reason and an end date.',
  account:
    '1. Verify ownership with two of: last invoice amount, workspace creation date, last four card digits (Account access policy).\n2. Do not change the owner without verified confirmation.\n3. After verification, update the owner email and send a reset link.\n4. Escalate to tier 2 if verification fails.',
};

const REPLY: Record<Topic, (name: string) => string> = {
  billing: (name) =>
    `Hi ${name},\n\nThank you for flagging this, and sorry for the trouble. You were indeed charged twice for the Team plan this month. I have opened a billing case for the duplicate charge; it will be reversed to your card within 5 business days, and you will get an email when it is done.\n\nAcme Support`,
  api: (name) =>
    `Hi ${name},\n\nThe 429 answers come from the Starter plan limit of 20 requests per second. Each 429 carries a Retry-After header; waiting that long before retrying, or spreading the nightly import over a longer window, avoids the errors. If you need more throughput, the Team plan allows 100 requests per second, and we can also discuss a temporary raise.\n\nAcme Support`,
  account: (name) =>
    `Hi ${name},\n\nWe can help you get back in. To confirm you own the workspace, please reply with two of the following: the amount of your last invoice, the date the workspace was created, or the last four digits of the card on file. Once confirmed, we will update the owner email and send you a reset link the same day.\n\nAcme Support`,
};

/** The answer for one request. */
export function simulatedAnswer(system: string, user: string): string {
  const topic = topicOf(user);
  if (system.startsWith(STEP_PROMPTS.triage)) return TRIAGE[topic];
  if (system.startsWith(STEP_PROMPTS.plan)) return PLAN[topic];
  if (system.startsWith(STEP_PROMPTS.reply)) return REPLY[topic](customerOf(user));
  return 'Hello from the simulated provider.';
}
