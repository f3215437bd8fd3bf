// The MongoDB stand-in's thread: CongoServer (pure JS, speaks the MongoDB wire protocol) from
// @push.rocks/smartmongo, memory only. A worker so that it loads as the ES module it is wherever
// the service runs (tsx, jest's CommonJS) and parses wire messages off the service's event loop.
import { parentPort } from 'node:worker_threads';
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js';

const server = new CongoServer({ host: '127.0.0.1', port: 0 });
await server.start();
// Started on port 0: CongoServer keeps the port it was given, its net.Server the one it got.
parentPort.postMessage({ port: server.server.address().port });
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  server.stop().then(
    () => parentPort.postMessage({ stopped: true }),
    () => parentPort.postMessage({ stopped: true }),
  );
});
