// `npm run bench -- <scenario> [--flags]`: load generators that print figures
// and write a report to bench/results/. Never timed unit tests: a benchmark
// measures, it does not assert.
import { audit } from './audit.js';
import { fanout } from './fanout.js';
import { heap } from './heap.js';
import { latency } from './latency.js';
import { media } from './media.js';
import { outbox } from './outbox.js';
import { profile } from './profile.js';
import { reads } from './reads.js';
import { send } from './send.js';
import { startup } from './startup.js';

const scenarios: Record<string, (args: string[]) => Promise<void>> = { fanout, latency, send, reads, startup, profile, heap, outbox, audit, media };

const [name, ...args] = process.argv.slice(2);
const scenario = name ? scenarios[name] : undefined;
if (!scenario) {
  console.error(`usage: npm run bench -- <${Object.keys(scenarios).join('|')}> [--flags]`);
  process.exit(2);
}
await scenario(args);
process.exit(0);
