/** What every started service (subgraph or router) hands back to its starter. */
export interface RunningService {
  /** e.g. http://127.0.0.1:4001/graphql */
  readonly url: string;
  readonly port: number;
  /** Stops accepting work, drains what is in flight, closes what it opened. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Runs `dispose` functions in reverse start order on SIGTERM/SIGINT, so a
 * rolling deploy drains instead of dropping work.
 */
export function drainOnSignals(disposers: Array<() => Promise<void>>, log: (msg: string) => void = console.log): void {
  let draining = false;
  const drain = async (signal: string) => {
    if (draining) return;
    draining = true;
    log(`${signal}: draining`);
    for (const dispose of [...disposers].reverse()) {
      try {
        await dispose();
      } catch (err) {
        console.error('dispose failed', err);
      }
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void drain('SIGTERM'));
  process.once('SIGINT', () => void drain('SIGINT'));
}
