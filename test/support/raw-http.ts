import { connect } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/* HTTP/1.1 spoken byte for byte over a socket, for requests no ordinary client would send. */

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as JSON; undefined when it is not JSON. */
  body: any;
  text: string;
}

export interface RawRequest {
  head: string;
  body?: Buffer;
  /** Send the head, wait for `100 Continue`, then the body (PHP's libcurl does for bodies over 1 KiB). */
  awaitContinue?: boolean;
}

/** Request or header lines joined as HTTP writes them, closed by the blank line. */
export function headLines(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Sends one request and reads its response, skipping a 100 Continue; fails if the server closes without one. */
export function exchangeRaw(base: string, raw: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  const body = raw.body ?? Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let bodySent = !raw.awaitContinue;
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(raw.awaitContinue ? Buffer.from(raw.head, 'latin1') : Buffer.concat([Buffer.from(raw.head, 'latin1'), body])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!bodySent && received.toString('latin1').startsWith('HTTP/1.1 100')) {
        received = received.subarray(received.indexOf('\r\n\r\n') + 4);
        bodySent = true;
        socket.write(body);
      }
      const response = parseResponse(received);
      if (response) {
        socket.destroy();
        resolve(response);
      }
    });
    socket.on('close', () => reject(new Error(`connection closed after ${JSON.stringify(received.toString('latin1'))}`)));
  });
}

/**
 * A complete response, with a Content-Length or chunked, or undefined while
 * bytes are missing. A gzip or deflate body is decoded, as the clients that
 * ask for one do (Ruby's net/http decodes the gzip it asks for).
 */
export function parseResponse(bytes: Buffer): RawResponse | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(headEnd + 4);
  const content = headers['transfer-encoding'] === 'chunked' ? joinChunks(rest) : fixedLength(rest, Number(headers['content-length'] ?? 0));
  if (!content) return undefined;
  const text = decodeContent(content, headers['content-encoding']).toString('utf8');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, text };
}

function fixedLength(bytes: Buffer, length: number): Buffer | undefined {
  return bytes.length < length ? undefined : bytes.subarray(0, length);
}

/** The chunks' data once the last (empty) chunk has come; trailers are ignored. */
function joinChunks(bytes: Buffer): Buffer | undefined {
  const chunks: Buffer[] = [];
  for (let at = 0; ;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(chunks);
    const start = lineEnd + 2;
    if (bytes.length < start + size + 2) return undefined;
    chunks.push(bytes.subarray(start, start + size));
    at = start + size + 2;
  }
}

function decodeContent(content: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(content);
  if (encoding === 'deflate') return inflateSync(content);
  return content;
}
