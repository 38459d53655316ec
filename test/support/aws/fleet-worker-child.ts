/** A fan-out worker in its own process: `node --import tsx fleet-worker-child.ts '<FleetWorkerSpec json>'`. */
import { type FleetWorkerSpec, runFleetWorker } from './fleet-worker.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as FleetWorkerSpec;
const runs = await runFleetWorker(spec);
process.stdout.write(`${JSON.stringify(runs)}\n`);
