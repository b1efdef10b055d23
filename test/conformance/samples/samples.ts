import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exchangeRaw, headLines, parseResponse, type RawResponse } from '../../support/raw-http.ts';
import { runPython } from '../clients/index.ts';

/*
 * The reference prints every request in four languages. These send each one
 * as its sample would: Python (requests and http.client) and curl run for
 * real; Ruby's net/http, PHP's pecl_http and curl's own bytes are written to
 * a socket byte for byte, as those clients put them on the wire.
 */

/** The boundary every sample writes in its own Content-Type header. */
export const SAMPLE_BOUNDARY = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
/** The boundary curl 7.88 chose when it wrote the shell sample's body (it adds its own beside the printed one). */
const CURL_BOUNDARY = '------------------------8e9acbf1fcc5c719';

export interface SampleRequest {
  method: 'GET' | 'POST';
  /** As the sample prints it: the update shell sample doubles the slash after the host. */
  path: string;
  /** The sample's own headers, in its order. */
  headers: [string, string][];
  fields: [string, string][] | null;
}

export type SampleResponse = RawResponse;

export interface Sample {
  name: string;
  /** Why this sample cannot run on this machine (its language or library is missing), or undefined. */
  missing?: string;
  send(base: string, request: SampleRequest): Promise<SampleResponse>;
}

const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** The samples' multipart text: the printed boundary, one part per field, closed with `--` and no line end. */
export function sampleBody(fields: [string, string][], lineEnd: '\r\n' | '\n', boundary = SAMPLE_BOUNDARY): string {
  const parts = fields.map(([name, value]) =>
    `--${boundary}${lineEnd}Content-Disposition: form-data; name="${name}"${lineEnd}${lineEnd}${value}${lineEnd}`);
  return `${parts.join('')}--${boundary}--`;
}

const withSampleContentType = (request: SampleRequest): [string, string][] =>
  request.fields ? [...request.headers, ['content-type', `multipart/form-data; boundary=${SAMPLE_BOUNDARY}`]] : request.headers;

/* ---- raw bytes over a socket ---- */

const capitalise = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());

/** Ruby's net/http: its default headers first, the sample's after, names capitalised, the body's line ends CRLF. */
const ruby: Sample = {
  name: 'Ruby net/http',
  send(base, request) {
    const { host } = new URL(base);
    const body = Buffer.from(request.fields ? sampleBody(request.fields, '\r\n') : '');
    const own = withSampleContentType(request);
    const accept = own.find(([name]) => name === 'accept')?.[1] ?? '*/*';
    const lines = [
      `${request.method} ${request.path} HTTP/1.1`,
      'Accept-Encoding: gzip;q=1.0,deflate;q=0.6,identity;q=0.3',
      `Accept: ${accept}`,
      'User-Agent: Ruby',
      `Host: ${host}`,
      ...own.filter(([name]) => name !== 'accept').map(([name, value]) => `${capitalise(name)}: ${value}`),
      'Connection: close',
      ...(request.fields ? [`Content-Length: ${body.length}`] : []),
    ];
    return exchangeRaw(base, { head: headLines(lines), body });
  },
};

/** PHP's pecl_http HttpRequest::setBody with the sample's string literal: bare LF line ends; libcurl expects 100-continue past 1 KiB. */
const php: Sample = {
  name: 'PHP pecl_http',
  send(base, request) {
    const { host } = new URL(base);
    const body = Buffer.from(request.fields ? sampleBody(request.fields, '\n') : '');
    const awaitContinue = body.length > 1024;
    const lines = [
      `${request.method} ${request.path} HTTP/1.1`,
      'User-Agent: PECL::HTTP/1.7.6 (PHP/5.6.40)',
      `Host: ${host}`,
      ...(withSampleContentType(request).some(([name]) => name === 'accept') ? [] : ['Accept: */*']),
      ...withSampleContentType(request).map(([name, value]) => `${name}: ${value}`),
      ...(request.fields ? [`Content-Length: ${body.length}`] : []),
      ...(awaitContinue ? ['Expect: 100-continue'] : []),
      'Connection: close',
    ];
    return exchangeRaw(base, { head: headLines(lines), body, awaitContinue });
  },
};

/** The bytes curl 7.88 writes for the shell sample: two boundary parameters, the body written with curl's own. */
const curlBytes: Sample = {
  name: "the shell sample's bytes as curl writes them",
  send(base, request) {
    const { host } = new URL(base);
    const body = Buffer.from(request.fields ? `${sampleBody(request.fields, '\r\n', CURL_BOUNDARY)}\r\n` : '');
    const contentType = `multipart/form-data; boundary=${SAMPLE_BOUNDARY}; boundary=${CURL_BOUNDARY}`;
    const lines = [
      `${request.method} ${request.path} HTTP/1.1`,
      `Host: ${host}`,
      'User-Agent: curl/7.88.1',
      ...request.headers.map(([name, value]) => `${name}: ${value}`),
      ...(request.fields ? [`Content-Length: ${body.length}`, `Content-Type: ${contentType}`] : []),
      'Connection: close',
    ];
    return exchangeRaw(base, { head: headLines(lines), body });
  },
};

/* ---- real clients ---- */

const run = promisify(execFile);

/** The shell sample run by curl: the printed Content-Type header and a --form for each field. */
const curl: Sample = {
  name: 'curl as the shell sample prints it',
  missing: runs('curl', ['--version']) ? undefined : 'curl is not installed',
  async send(base, request) {
    const args = ['-s', '-i', '--request', request.method, '--url', `${base}${request.path}`];
    for (const [name, value] of withSampleContentType(request)) args.push('--header', `${name}: ${value}`);
    for (const [name, value] of request.fields ?? []) args.push('--form', `${name}=${value}`);
    const { stdout } = await run('curl', args);
    const response = parseResponse(Buffer.from(stdout.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '')));
    if (!response) throw new Error(`curl printed no complete response: ${stdout}`);
    return response;
  },
};

const postmanScript = fileURLToPath(new URL('./postman.py', import.meta.url));

function python(library: 'requests' | 'http.client'): Sample {
  return {
    name: `Python ${library} with the raw CRLF string`,
    missing: runs('python3', ['-c', `import ${library}`]) ? undefined : `python3 with ${library} is not installed`,
    async send(base, request) {
      const payload = request.fields ? sampleBody(request.fields, '\r\n') : null;
      const headers = Object.fromEntries(withSampleContentType(request));
      const { status, body } = await runPython(postmanScript, { library, method: request.method, url: `${base}${request.path}`, headers, payload });
      return { status, headers: {}, body: body ? JSON.parse(body) : null, text: body };
    },
  };
}

export const samples: Sample[] = [ruby, python('requests'), python('http.client'), curl, curlBytes, php];
