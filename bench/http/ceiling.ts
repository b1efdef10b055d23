import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/*
 * The ceiling: a bare node:http server in one process that answers every
 * request with the bytes of one job read captured from our server (its
 * content-type and body), so the gap to it is what our server costs.
 * Started by bench/http.ts as `node --import tsx bench/http/ceiling.ts FILE`.
 */

interface CapturedAnswer {
  readonly contentType: string;
  readonly bodyBase64: string;
}

const file = process.argv[2];
if (!file) throw new Error('usage: ceiling.ts ANSWER_FILE');
const captured = JSON.parse(readFileSync(file, 'utf8')) as CapturedAnswer;
const body = Buffer.from(captured.bodyBase64, 'base64');
const headers = { 'content-type': captured.contentType, 'content-length': String(body.length) };

const server = createServer((request, response) => {
  // Requests may carry a body; it is read and dropped, as a real handler would.
  request.resume();
  response.writeHead(200, headers);
  response.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
