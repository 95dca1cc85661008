/**
 * The chat model and prompt of `bench/langchain.ts` and its stand-alone runner: an in-process model
 * (no network) that answers with an AIMessage carrying OpenAI-shaped `usage_metadata` and
 * `response_metadata`, as ChatOpenAI does, and a no-op handler dispatched as ours is. Not a
 * benchmark itself.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';

/** A chat model whose every answer reports usage as OpenAI's does. */
export class UsageChatModel extends BaseChatModel {
  _llmType(): string {
    return 'usage-fake';
  }
  override getLsParams(options: this['ParsedCallOptions']) {
    return { ...super.getLsParams(options), ls_provider: 'openai', ls_model_name: 'gpt-4o-mini' };
  }
  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    const message = new AIMessage({
      content: 'ok',
      usage_metadata: {
        input_tokens: 1200,
        output_tokens: 300,
        total_tokens: 1500,
        input_token_details: { cache_read: 1024 },
        output_token_details: { reasoning: 0 },
      },
      response_metadata: { model_name: 'gpt-4o-mini-2024-07-18', model_provider: 'openai' },
    });
    return { generations: [{ text: 'ok', message }], llmOutput: {} };
  }
}

/**
 * A handler that does nothing but is dispatched the same way as ours (awaited, `raiseError`): what
 * LangChain's callback machinery itself costs, the named reference of the handler's figure.
 */
export class NoopHandler extends BaseCallbackHandler {
  name = 'noop';
  constructor() {
    super({ raiseError: true });
  }
  override handleChatModelStart(): void {}
  override handleLLMEnd(): void {}
}

/** The prompt of every call. */
export const PROMPT = [new HumanMessage('hi')];
