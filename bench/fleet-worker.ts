// One process of a split fan-out fleet (bench/fleet.ts): holds its share of
// the sockets and answers the driver's connect / progress / take / close over IPC.
import { connectLocalFleet, type Fleet, type FleetSpec } from './fleet.js';

let fleet: Fleet | undefined;

process.on('message', async (message: { id: number; command: string; args?: unknown }) => {
  try {
    let result: unknown;
    if (message.command === 'connect') fleet = await connectLocalFleet(message.args as FleetSpec);
    else if (!fleet) throw new Error('not connected');
    else if (message.command === 'progress') result = await fleet.progress();
    else if (message.command === 'take') result = await fleet.take();
    else if (message.command === 'close') await fleet.close();
    else throw new Error(`unknown command ${message.command}`);
    process.send!({ id: message.id, result });
  } catch (err) {
    process.send!({ id: message.id, error: err instanceof Error ? err.message : String(err) });
  }
});
// The driver going away ends the worker too (stays inside the machine, stops by itself).
process.once('disconnect', () => process.exit(0));
