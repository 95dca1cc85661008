import { LangfuseCostError } from '../../errors.js';

/** Why a price sync failed. */
export type PriceSyncFailure =
  | 'network'
  | 'timeout'
  | 'http'
  | 'too-large'
  | 'invalid-json'
  | 'unknown-format'
  | 'invalid-data'
  | 'hostile-values'
  | 'shrink'
  | 'io';

/**
 * A price sync did not apply. The previously synced prices (if any) stay in force; `reason` says
 * which guard stopped it and the message says why, in words meant for the person running the sync.
 */
export class PriceSyncError extends LangfuseCostError {
  /** Which step or guard failed. */
  readonly reason: PriceSyncFailure;
  /** HTTP status, for `http` failures. */
  readonly status: number | undefined;
  constructor(reason: PriceSyncFailure, message: string, options?: { cause?: unknown; status?: number }) {
    super('PRICE_SYNC_FAILED', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PriceSyncError';
    this.reason = reason;
    this.status = options?.status;
  }
}
