// Imported by `npm start` before the graph: without MONGODB_URL observability keeps its logs in the
// MongoDB stand-in, whose thread then loads its modules (CongoServer's) on the other core while
// the graph's load on the main one, instead of after observability starts, with the main thread
// waiting for it.
import { startMongoStandInEarly } from '@fitnexa/observability/src/data/stand-in';

if (!process.env.MONGODB_URL) startMongoStandInEarly();
