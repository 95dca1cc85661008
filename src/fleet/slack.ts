import { closedError } from '../errors.js';
import type { AlertChannel } from './channel.js';
import { checkStatus, postBody } from './http-post.js';
import type { AlertMessage } from './message.js';
import { httpUrl } from './webhook.js';

/** Options of {@link slackChannel}. */
export interface SlackChannelOptions {
  /** The incoming-webhook URL (`https://hooks.slack.com/services/…`). Its path is a token: never logged. */
  url: string | URL;
  /** Name in logs and health (default `slack`). */
  name?: string;
}

const EMOJI: Record<AlertMessage['level'], string> = {
  warning: ':warning:',
  critical: ':rotating_light:',
  exceeded: ':no_entry:',
};

/** Slack's mrkdwn needs `&`, `<` and `>` escaped, or a key like `<!channel>` would ping everyone. */
export function slackEscape(text: string): string {
  try {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  } catch (err) {
    throw closedError(err, 'slackEscape');
  }
}

/** The Slack payload of a message: a `text` (shown in notifications) and one section block. */
export function slackPayload(message: AlertMessage): { text: string; blocks: unknown[] } {
  try {
    const text = `${EMOJI[message.level]} ${slackEscape(message.text)}`;
    const context = [`id \`${slackEscape(message.id)}\``, message.time];
    if (message.source !== undefined) context.push(`from ${slackEscape(message.source)}`);
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
      ],
    };
  } catch (err) {
    throw closedError(err, 'slackPayload');
  }
}

/**
 * A channel that posts each alert to a Slack incoming webhook (JSON `{ text, blocks }`). Slack
 * answers 200 `ok`; 429 (rate limited, with `Retry-After`) and 5xx are retried; 400/403/404/410
 * (bad payload, revoked token, deleted or archived channel) give up at once.
 * @throws {InvalidArgumentError} for a URL that is not http(s).
 */
export function slackChannel(options: SlackChannelOptions): AlertChannel {
  try {
    const url = httpUrl(options?.url, 'slackChannel(options.url)');
    return {
      name: options.name ?? 'slack',
      secrets: [url.href, url.pathname + url.search].filter((s) => s.length >= 4 && s !== '/'),
      async send(message: AlertMessage, signal: AbortSignal): Promise<void> {
        const body = JSON.stringify(slackPayload(message));
        checkStatus(
          await postBody(
            url,
            body,
            { 'content-type': 'application/json', 'user-agent': 'langfuse-cost-alerts' },
            signal,
          ),
        );
      },
    };
  } catch (err) {
    throw closedError(err, 'slackChannel');
  }
}
