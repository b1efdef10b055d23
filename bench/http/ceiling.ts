import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/*
 * The ceiling: a bare node:http server in one process that answers each
 * request with the bytes our server gave for the same URL, captured before
 * the run (status, content-type and body), so the gap to it is what our
 * server costs. A URL not captured gets the `otherwise` answer (the read by
 * id: one job read for every id), or 404 when there is none.
 * Started by bench/http.ts as `node --import tsx bench/http/ceiling.ts FILE`.
 */

export interface CapturedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly bodyBase64: string;
}

export interface CapturedAnswers {
  readonly answers: Readonly<Record<string, CapturedAnswer>>;
  readonly otherwise: CapturedAnswer | null;
}

interface Ready {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function prepare(answer: CapturedAnswer): Ready {
  const body = Buffer.from(answer.bodyBase64, 'base64');
  return { status: answer.status, headers: { 'content-type': answer.contentType, 'content-length': String(body.length) }, body };
}

const file = process.argv[2];
if (!file) throw new Error('usage: ceiling.ts ANSWERS_FILE');
const captured = JSON.parse(readFileSync(file, 'utf8')) as CapturedAnswers;
const byUrl = new Map(Object.entries(captured.answers).map(([url, answer]) => [url, prepare(answer)]));
const otherwise = captured.otherwise ? prepare(captured.otherwise) : null;
const missing = prepare({ status: 404, contentType: 'text/plain', bodyBase64: Buffer.from('not captured').toString('base64') });

const server = createServer((request, response) => {
  // Requests may carry a body; it is read and dropped, as a real handler would.
  request.resume();
  const answer = byUrl.get(request.url ?? '/') ?? otherwise ?? missing;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
