// Imported by `npm start` before the graph: without DATABASE_URL its services open one embedded
// PGlite, whose wasm then compiles on V8's threads while the graph's modules load.
import { compilePgliteEarly } from '@fitnexa/shared/db';

if (!process.env.DATABASE_URL) compilePgliteEarly();
