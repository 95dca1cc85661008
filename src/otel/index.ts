/**
 * `langfuse-cost/otel` in Node: the OpenTelemetry span processor and metrics, with Node's defaults for a catalog or tracker you do not
 * pass (price files, the synced cache, the environment's budgets and the JSONL ledger). Edge and
 * browser builds get `./portable.ts`, which uses the bundled prices and an in-memory tracker.
 * @packageDocumentation
 */
import { installNodeAdapterDefaults } from '../node/adapter-defaults.js';

installNodeAdapterDefaults();

export * from './portable.js';
