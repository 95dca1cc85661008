/** Something that can write out its buffer synchronously. */
export interface SyncFlushable {
  flushSync(): unknown;
}

const open = new Set<SyncFlushable>();
let installed = false;

function flushAll(): void {
  for (const s of open) {
    try {
      s.flushSync();
    } catch {
      // The sink logs its own failures; never let one sink stop the others at exit.
    }
  }
}

/**
 * Flush `s` synchronously at `beforeExit` (the event loop ran dry) and at `exit` (process.exit(),
 * or the end of the program). One pair of process listeners serves every sink.
 *
 * Signals are not hooked: a SIGINT/SIGTERM without a handler of the application ends the process
 * without `exit`; applications that handle them should `await tracker.flush()` there.
 */
export function flushAtExit(s: SyncFlushable): void {
  open.add(s);
  if (installed) return;
  installed = true;
  process.on('beforeExit', flushAll);
  process.on('exit', flushAll);
}

/** Stop flushing `s` at exit. */
export function forgetAtExit(s: SyncFlushable): void {
  open.delete(s);
}
