/**
 * Units beyond tokens and self-hosted models through CostSpanProcessor with the real OTel SDK and the
 * bundled catalog. Expected costs are OpenAI's published prices (whisper-1 $0.006 per minute, tts-1
 * $15 per 1M characters, dall-e-3 HD 1792×1024 $0.12 per image).
 *
 * The Vercel AI SDK opens no span for generateImage, transcribe or generateSpeech (`ai` 6 accepts no
 * telemetry there), so these are spans as the Langfuse SDK writes a generation whose usage details
 * carry the units (`startObservation(…, { asType: 'generation', usageDetails })`).
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { COST_ATTR, CostSpanProcessor } from '../../../src/otel/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { getDefaultCatalog } from '../../../src/pricing/default-catalog.js';
import { memoryLogger, memoryTracker } from '../../helpers/otel-span-cases.js';

function pipeline() {
  const exporter = new InMemorySpanExporter();
  const tracker = memoryTracker();
  const cost = new CostSpanProcessor({ catalog: getDefaultCatalog(), tracker, logger: memoryLogger() });
  const provider = new BasicTracerProvider({ spanProcessors: [cost, new SimpleSpanProcessor(exporter)] });
  const emit = (scope: string, attributes: Record<string, string | number>) => {
    provider.getTracer(scope).startSpan('call', { attributes }).end();
    const spans = exporter.getFinishedSpans();
    const s = spans[spans.length - 1]!;
    const json = (k: string) => JSON.parse(String(s.attributes[k] ?? '{}')) as Record<string, number>;
    return { costs: json(COST_ATTR.COST_DETAILS), usage: json(COST_ATTR.USAGE_DETAILS), tracker };
  };
  return { emit, tracker };
}

const generation = (model: string, usage: Record<string, number>) => ({
  'langfuse.observation.type': 'generation',
  'langfuse.observation.model.name': model,
  'langfuse.observation.usage_details': JSON.stringify(usage),
});

it.each([
  ['whisper-1', { input_audio_seconds: 60 }, 'input_audio_seconds', 0.006],
  ['tts-1', { input_characters: 2000 }, 'input_characters', 0.03],
  ['dall-e-3/1792x1024/hd', { output_images: 1 }, 'output_images', 0.12],
])('%s: %j is priced and written back under its own key', (model, usage, key, usd) => {
  const { emit, tracker } = pipeline();
  const out = emit('langfuse-sdk', generation(model, usage));
  expect(out.costs[key]).toBe(usd);
  expect(out.costs.total).toBe(usd);
  // The span's own usage details are left as they are.
  expect(out.usage).toEqual(usage);
  expect(tracker.records).toHaveLength(1);
  expect(tracker.records[0]!.result.totalPico).toBe(Math.round(usd * 1e12));
});

it('a GenAI span from a local server (server.address 127.0.0.1) with an unknown model is self-hosted: $0, free', () => {
  const { emit, tracker } = pipeline();
  const out = emit('opentelemetry.instrumentation.openai', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'llama3.2:3b',
    'gen_ai.usage.input_tokens': 26,
    'gen_ai.usage.output_tokens': 298,
    'server.address': '127.0.0.1',
  });
  expect(out.costs.total).toBe(0);
  expect(out.usage).toMatchObject({ input: 26, output: 298 });
  expect(tracker.records).toHaveLength(1);
  expect(tracker.records[0]!.result.source).toBe('free');
  expect(tracker.records[0]!.result.provider).toBe('self-hosted');
  // The same span from api.openai.com stays unpriced: no silent $0.
  const remote = pipeline();
  remote.emit('opentelemetry.instrumentation.openai', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'llama3.2:3b',
    'gen_ai.usage.input_tokens': 26,
    'gen_ai.usage.output_tokens': 298,
    'server.address': 'api.openai.com',
  });
  expect(remote.tracker.records).toHaveLength(0);
  expect(remote.tracker.unpriced).toHaveLength(1);
});

/**
 * A pipeline whose catalog prices a vLLM deployment per GPU hour: 4 GPUs at $2.49 per GPU hour (an
 * on-demand H100), tokens not charged apart.
 */
function gpuHourPipeline() {
  const exporter = new InMemorySpanExporter();
  const tracker = memoryTracker();
  const catalog = new PriceCatalog().addLayer('user', {
    version: 1,
    models: [{ id: 'Qwen/Qwen2.5-72B-Instruct', provider: 'vllm', prices: { perGpuHour: 2.49 }, gpus: 4 }],
  });
  const cost = new CostSpanProcessor({ catalog, tracker, logger: memoryLogger() });
  const provider = new BasicTracerProvider({ spanProcessors: [cost, new SimpleSpanProcessor(exporter)] });
  return { exporter, tracker, tracer: provider.getTracer('opentelemetry.instrumentation.openai') };
}

it('a vLLM span priced per GPU hour: its start→end times the GPUs, written to Langfuse as input_gpu_milliseconds', () => {
  const { exporter, tracker, tracer } = gpuHourPipeline();
  const start: [number, number] = [1_768_478_400, 0];
  tracer
    .startSpan('chat Qwen/Qwen2.5-72B-Instruct', {
      startTime: start,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'vllm',
        'gen_ai.request.model': 'Qwen/Qwen2.5-72B-Instruct',
        'gen_ai.usage.input_tokens': 812,
        'gen_ai.usage.output_tokens': 240,
        'server.address': '10.0.0.7',
      },
    })
    // 2.25 s later
    .end([start[0] + 2, 250_000_000]);
  const [s] = exporter.getFinishedSpans();
  const json = (k: string) => JSON.parse(String(s!.attributes[k])) as Record<string, number>;
  // 2,250 ms × 4 GPUs = 9,000 GPU-ms = 0.0025 GPU hours × $2.49 = $0.006225.
  expect(json(COST_ATTR.USAGE_DETAILS)).toMatchObject({
    input: 812,
    output: 240,
    input_gpu_milliseconds: 9000,
  });
  expect(json(COST_ATTR.COST_DETAILS)).toMatchObject({ input_gpu_milliseconds: 0.006225, total: 0.006225 });
  expect(tracker.records).toHaveLength(1);
  expect(tracker.records[0]!.result.totalPico).toBe(6_225_000_000);
  expect(tracker.records[0]!.result.provider).toBe('vllm');
});

it('spans priced one after another each get their own duration and endpoint (nothing of a span is kept for the next)', () => {
  const { exporter, tracker, tracer } = gpuHourPipeline();
  const start: [number, number] = [1_768_478_400, 0];
  const call = (model: string, seconds: number, address: string) =>
    tracer
      .startSpan(`chat ${model}`, {
        startTime: start,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': 812,
          'gen_ai.usage.output_tokens': 240,
          'server.address': address,
        },
      })
      .end([start[0] + seconds, 0]);
  call('Qwen/Qwen2.5-72B-Instruct', 2, '10.0.0.7');
  call('my-local-model', 5, '127.0.0.1'); // unknown, on this machine: self-hosted, $0
  call('my-local-model', 5, 'api.example.com'); // unknown, remote: no price
  call('Qwen/Qwen2.5-72B-Instruct', 1, '10.0.0.7');
  const costs = exporter
    .getFinishedSpans()
    .map((s) => s.attributes[COST_ATTR.COST_DETAILS] as string | undefined);
  // 2,000 ms × 4 GPUs at $2.49 an hour = $0.005533333333; 1,000 ms: $0.002766666667.
  expect(costs).toEqual([
    '{"input":0,"output":0,"input_gpu_milliseconds":0.005533333333,"total":0.005533333333}',
    '{"input":0,"output":0,"total":0}',
    undefined,
    '{"input":0,"output":0,"input_gpu_milliseconds":0.002766666667,"total":0.002766666667}',
  ]);
  expect(tracker.records.map((r) => r.result.totalPico)).toEqual([5_533_333_333, 0, 2_766_666_667]);
});
