import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import {
  type Runnable,
  RunnableLambda,
  RunnablePassthrough,
  RunnableSequence,
} from '@langchain/core/runnables';
import { ChatOpenAI } from '@langchain/openai';
import { HANDBOOK } from './handbook.js';

/**
 * A small support-desk assistant built with LangChain.js. Each ticket goes through three LLM calls:
 *
 * 1. **triage** — Claude Sonnet 4.5 reads the ticket against the support handbook (a long system
 *    prompt marked `cache_control: ephemeral`, so the first call writes the prompt cache and later
 *    calls read it at a tenth of the price);
 * 2. **plan** — OpenAI o4-mini (a reasoning model, through the Responses API) decides what to do;
 *    it bills hidden reasoning tokens at the output price;
 * 3. **reply** — GPT-4o mini writes the answer to the customer.
 *
 * No model is set to `streaming: true`, on purpose: LangChain's ChatOpenAI then also estimates the
 * prompt's tokens with tiktoken, which downloads its encoding from the internet; and with streamed
 * Anthropic answers LangChain adds the `message_start` output count to the total, so spans made by
 * other handlers carry one output token more than was billed (CostCallbackHandler corrects it).
 */

/** Opening words of each step's instructions (the simulator keys its answers on them). */
export const STEP_PROMPTS = {
  triage:
    'You are the triage agent of Acme Support. Using the handbook below, answer with three lines: ' +
    '"category: <one category>", "priority: <low|normal|high|urgent>", "summary: <one sentence>".',
  plan:
    'You are the planning agent of Acme Support. Given a ticket and its triage, list at most four ' +
    'numbered steps support should take, citing the handbook policy that applies. No reply text.',
  reply:
    'You are the reply writer of Acme Support. Write the reply to the customer following the plan. ' +
    'Be brief and concrete, say what happens next and when, sign as "Acme Support".',
} as const;

/** One support ticket. */
export interface Ticket {
  /** Customer's name. */
  customer: string;
  /** The ticket text. */
  text: string;
}

/** What the chain returns for a ticket. */
export interface TicketResult extends Ticket {
  triage: string;
  plan: string;
  reply: string;
}

/** The three chat models of the app. */
export interface SupportModels {
  triage: BaseChatModel;
  planner: BaseChatModel;
  writer: BaseChatModel;
}

/** Where the models send requests: the real APIs, or a simulator's base URLs. */
export interface ModelEndpoints {
  /** OpenAI base URL (`…/v1`); undefined → api.openai.com with `OPENAI_API_KEY`. */
  openaiBaseUrl?: string;
  /** Anthropic base URL; undefined → api.anthropic.com with `ANTHROPIC_API_KEY`. */
  anthropicBaseUrl?: string;
}

/** Build the app's models. Keys come from the environment unless a simulator URL is given. */
export function createModels(endpoints: ModelEndpoints): SupportModels {
  const openai = endpoints.openaiBaseUrl
    ? { apiKey: 'simulated', configuration: { baseURL: endpoints.openaiBaseUrl } }
    : {};
  const anthropic = endpoints.anthropicBaseUrl
    ? { apiKey: 'simulated', anthropicApiUrl: endpoints.anthropicBaseUrl }
    : {};
  return {
    triage: new ChatAnthropic({
      model: 'claude-sonnet-4-5',
      maxTokens: 300,
      maxRetries: 1,
      ...anthropic,
    }),
    planner: new ChatOpenAI({
      model: 'o4-mini',
      useResponsesApi: true,
      reasoning: { effort: 'low' },
      maxRetries: 1,
      ...openai,
    }),
    writer: new ChatOpenAI({ model: 'gpt-4o-mini', temperature: 0.3, maxRetries: 1, ...openai }),
  };
}

const text = new StringOutputParser();

/** What each step receives: the ticket plus the outputs of the steps before it. */
type Step = Record<string, unknown> & Ticket & Partial<Pick<TicketResult, 'triage' | 'plan'>>;

/** The ticket chain: triage → plan → reply, each step one LLM call named after the step. */
export function buildSupportChain(models: SupportModels): Runnable<Ticket, TicketResult> {
  const triage = RunnableLambda.from((t: Step) => [
    // The handbook block carries the cache breakpoint: everything up to it is cached.
    new SystemMessage({
      content: [
        { type: 'text', text: STEP_PROMPTS.triage },
        { type: 'text', text: HANDBOOK, cache_control: { type: 'ephemeral' } },
      ],
    }),
    new HumanMessage(`Customer: ${t.customer}\nTicket: ${t.text}`),
  ])
    .pipe(models.triage.withConfig({ runName: 'triage' }))
    .pipe(text);

  const plan = RunnableLambda.from((t: Step) => [
    new SystemMessage(STEP_PROMPTS.plan),
    new HumanMessage(`Ticket from ${t.customer}: ${t.text}\n\nTriage:\n${t.triage}`),
  ])
    .pipe(models.planner.withConfig({ runName: 'plan' }))
    .pipe(text);

  const reply = RunnableLambda.from((t: Step) => [
    new SystemMessage(STEP_PROMPTS.reply),
    new HumanMessage(`Customer: ${t.customer}\nTicket: ${t.text}\n\nPlan:\n${t.plan}`),
  ])
    .pipe(models.writer.withConfig({ runName: 'reply' }))
    .pipe(text);

  return RunnableSequence.from([
    RunnablePassthrough.assign({ triage }),
    RunnablePassthrough.assign({ plan }),
    RunnablePassthrough.assign({ reply }),
  ]).withConfig({ runName: 'support-ticket' }) as unknown as Runnable<Ticket, TicketResult>;
}
