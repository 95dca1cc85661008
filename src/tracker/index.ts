export type { Attribution, CostRecord, FailureInput, RecordContext } from './record.js';
