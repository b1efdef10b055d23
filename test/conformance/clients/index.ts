import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { multipartBody } from '../../support/fixtures.ts';

const run = promisify(execFile);

export interface ClientRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** Sent as multipart/form-data, in this order; null for no body. */
  fields: [string, string][] | null;
}

export interface ClientResponse {
  status: number;
  body: any;
}

/** An HTTP client a vendor might use, able to send the Appendix A requests. */
export interface HttpClient {
  name: string;
  send(request: ClientRequest): Promise<ClientResponse>;
}

const parse = (status: number, text: string): ClientResponse => ({ status, body: text ? JSON.parse(text) : null });

/** Node's fetch, building its own multipart body from FormData. */
const fetchClient: HttpClient = {
  name: 'fetch with FormData',
  async send({ method, url, headers, fields }) {
    let body: FormData | undefined;
    if (fields) {
      body = new FormData();
      for (const [name, value] of fields) body.append(name, value);
    }
    const response = await fetch(url, { method, headers, body });
    return parse(response.status, await response.text());
  },
};

/** node:http with a multipart body written out by hand, byte for byte. */
const rawHttpClient: HttpClient = {
  name: 'raw multipart over node:http',
  send({ method, url, headers, fields }) {
    const multipart = fields ? multipartBody(fields) : null;
    const allHeaders = multipart ? { ...headers, 'content-type': multipart.contentType } : headers;
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method, headers: allHeaders }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(parse(res.statusCode ?? 0, text)));
      });
      req.on('error', reject);
      req.end(multipart?.body);
    });
  },
};

/** curl exactly as the reference prints its examples: -F for each field. */
const curlClient: HttpClient = {
  name: 'curl -F',
  async send({ method, url, headers, fields }) {
    const args = ['-s', '-X', method, '-w', '\n%{http_code}'];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    for (const [name, value] of fields ?? []) args.push('--form-string', `${name}=${value}`);
    args.push(url);
    const { stdout } = await run('curl', args);
    const newline = stdout.lastIndexOf('\n');
    return parse(Number(stdout.slice(newline + 1)), stdout.slice(0, newline));
  },
};

const pythonScript = fileURLToPath(new URL('./raw_multipart.py', import.meta.url));

/** Runs a Python script with a JSON request on stdin and reads the JSON it prints. */
export async function runPython(script: string, input: unknown): Promise<{ status: number; body: string }> {
  const child = execFile('python3', [script]);
  const output = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`python3 exited ${code}`))));
  });
  child.stdin?.end(JSON.stringify(input));
  return JSON.parse(await output);
}

/** Python's urllib posting a raw multipart string. */
const pythonClient: HttpClient = {
  name: 'python urllib with a raw multipart string',
  async send(request) {
    const { status, body } = await runPython(pythonScript, request);
    return parse(status, body);
  },
};

export const clients: HttpClient[] = [fetchClient, rawHttpClient, curlClient, pythonClient];
