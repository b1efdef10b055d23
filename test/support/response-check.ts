import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendAsyncHookHandler } from 'fastify';

/*
 * No drift between /openapi.json and what the server answers: every answer
 * a test app gives (through inject or over a socket) is checked against the
 * document's schema for its path, method and status. An answer whose status
 * the document does not list for the operation, or whose JSON body does not
 * match the listed schema, is recorded; the app's close() fails the suite
 * naming each one. Routes the document leaves out (a test's own, /openapi.json
 * itself, the reference page) are not checked.
 */

type Json = Record<string, unknown>;

interface Operation {
  readonly pattern: RegExp;
  readonly method: string;
  readonly pointer: string;
  readonly responses: Json;
}

const pointerPart = (text: string) => text.replaceAll('~', '~0').replaceAll('/', '~1');

/** `/api/job/{id}` as a regular expression over a request's path. */
function pathPattern(path: string): RegExp {
  const escaped = path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}$`);
}

export class ResponseCheck {
  readonly mismatches: string[] = [];
  private operations: Operation[] | null = null;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly app: FastifyInstance) {
    addFormats.default(this.ajv);
  }

  /** Checks one answer; called from the app's onSend hook. */
  check(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const path = request.url.split('?')[0] as string;
    const operation = this.operationFor(request.method, path);
    if (!operation) return;
    const status = String(reply.statusCode);
    const response = (operation.responses[status] ?? operation.responses.default) as Json | undefined;
    const label = `${request.method} ${path} → ${status}`;
    if (!response) {
      this.mismatches.push(`${label}: status not in the document (it lists ${Object.keys(operation.responses).join(', ')})`);
      return;
    }
    const content = response.content as Json | undefined;
    const json = content ? Object.entries(content).find(([type]) => /json/.test(type)) : undefined;
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    if (!json || text === null || text === '' || !/json/.test(String(reply.getHeader('content-type') ?? ''))) return;
    const key = `${operation.pointer}/responses/${pointerPart(status)}/content/${pointerPart(json[0])}/schema`;
    const validate = this.validatorFor(key);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.mismatches.push(`${label}: a JSON content type with a body that is not JSON`);
      return;
    }
    if (!validate(body)) this.mismatches.push(`${label}: ${this.ajv.errorsText(validate.errors)} in ${text.slice(0, 200)}`);
  }

  private validatorFor(pointer: string): ValidateFunction {
    const known = this.validators.get(pointer);
    if (known) return known;
    const validate = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
    this.validators.set(pointer, validate);
    return validate;
  }

  private operationFor(method: string, path: string): Operation | undefined {
    this.operations ??= this.readDocument();
    const wanted = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    return this.operations.find((operation) => operation.method === wanted && operation.pattern.test(path));
  }

  private readDocument(): Operation[] {
    const document = this.app.swagger() as unknown as Json;
    this.ajv.addSchema(document, 'openapi.json');
    const operations: Operation[] = [];
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        const responses = (operation as Json).responses as Json | undefined;
        if (!responses) continue;
        operations.push({ pattern: pathPattern(path), method, pointer: `/paths/${pointerPart(path)}/${method}`, responses });
      }
    }
    // A literal path before a templated one of the same shape: /api/job/suggest before /api/job/{id}.
    return operations.sort((a, b) => Number(a.pattern.source.includes('[^/]+')) - Number(b.pattern.source.includes('[^/]+')));
  }
}

/**
 * The hook for buildApp's `inspectAnswer`, which runs before compression
 * (a compressed body would be a stream, unreadable here), and the check it
 * feeds, once the app exists.
 */
export function responseChecking(): { hook: onSendAsyncHookHandler; attach(app: FastifyInstance): ResponseCheck } {
  let check: ResponseCheck | null = null;
  return {
    async hook(request, reply, payload) {
      check?.check(request, reply, payload);
      return payload;
    },
    attach(app) {
      check = new ResponseCheck(app);
      return check;
    },
  };
}
