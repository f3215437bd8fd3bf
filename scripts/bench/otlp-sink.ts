// An OTLP/HTTP receiver that keeps nothing: where the traced gateway of `npm run bench:gateway`
// sends its spans (BENCH_TRACING_RATIO), so that exporting costs what it costs against a
// collector. It counts the spans, to show that tracing was on.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startOtlpSink() {
  let spans = 0;
  let exports = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      exports += 1;
      // Counting `"spanId"` keys is enough for a tally, and cheaper than parsing.
      spans += Buffer.concat(chunks).toString('utf8').split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ spans, exports }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
