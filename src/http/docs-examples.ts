/*
 * curl, Python and PHP examples for each operation of the OpenAPI document,
 * made from the document itself (its paths, security and the required fields
 * of its request bodies), so that they cannot drift from it. Added to each
 * operation's description for the reference page (GET /docs); the document
 * at GET /openapi.json stays as it is.
 */

type Json = Record<string, unknown>;

const V1 = 'application/vnd.jb.v1+json';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Example {
  readonly method: string;
  readonly url: string;
  readonly bearer: boolean;
  /** Form fields, sent as multipart as the reference's samples do; none for a request without a body. */
  readonly fields: readonly (readonly [string, string])[];
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value to show for a field: the schema's own example or default, else a placeholder of its type. */
function sampleValue(schema: Json): string {
  const examples = schema.examples;
  if (Array.isArray(examples) && examples.length > 0) return String(examples[0]);
  if (schema.example !== undefined) return String(schema.example);
  if (schema.default !== undefined) return String(schema.default);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return String(schema.enum[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  return type === 'integer' || type === 'number' ? '1' : '…';
}

/** The required fields of an operation's body, from its first content type's schema. */
function requiredFields(operation: Json): [string, string][] {
  const content = isObject(operation.requestBody) && isObject(operation.requestBody.content) ? operation.requestBody.content : null;
  const first = content ? Object.values(content).find(isObject) : undefined;
  const schema = first && isObject(first.schema) ? first.schema : null;
  if (!schema || !isObject(schema.properties)) return [];
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const properties = schema.properties;
  return required.map((name) => [name, sampleValue(isObject(properties[name]) ? properties[name] : {})]);
}

function needsBearer(operation: Json, document: Json): boolean {
  const security = Array.isArray(operation.security) ? operation.security : document.security;
  return Array.isArray(security) && security.some((requirement) => isObject(requirement) && Object.keys(requirement).length > 0);
}

const quoteShell = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const quoteDouble = (text: string) => JSON.stringify(text);
const quotePhp = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function curlExample({ method, url, bearer, fields }: Example): string {
  const parts = ['curl -s'];
  if (method !== 'GET' && fields.length === 0) parts.push(`-X ${method}`);
  parts.push(`-H 'Accept: ${V1}'`);
  if (bearer) parts.push('-H "Authorization: Bearer $TOKEN"');
  // --form-string: -F would read a value beginning with @ or < as a file, and ;type= in it as an option.
  for (const [name, value] of fields) parts.push(`--form-string ${quoteShell(`${name}=${value}`)}`);
  parts.push(quoteShell(url));
  return parts.join(' \\\n  ');
}

function pythonExample({ method, url, bearer, fields }: Example): string {
  const headers = [`"Accept": "${V1}"`, ...(bearer ? ['"Authorization": f"Bearer {token}"'] : [])];
  // requests sends multipart when given files; (None, value) makes each field a plain form part.
  const files = fields.length > 0 ? `,\n    files={${fields.map(([name, value]) => `${quoteDouble(name)}: (None, ${quoteDouble(value)})`).join(', ')}}` : '';
  return [
    'import requests',
    '',
    `response = requests.${method.toLowerCase()}(`,
    `    ${quoteDouble(url)},`,
    `    headers={${headers.join(', ')}}${files},`,
    ')',
    'print(response.status_code, response.json())',
  ].join('\n');
}

function phpExample({ method, url, bearer, fields }: Example): string {
  const headers = [`'Accept: ${V1}'`, ...(bearer ? ['"Authorization: Bearer $token"'] : [])];
  const options = [`CURLOPT_RETURNTRANSFER => true`, `CURLOPT_HTTPHEADER => [${headers.join(', ')}]`];
  if (method !== 'GET') options.push(`CURLOPT_CUSTOMREQUEST => '${method}'`);
  // An array makes PHP's curl send multipart/form-data.
  if (fields.length > 0) options.push(`CURLOPT_POSTFIELDS => [${fields.map(([name, value]) => `${quotePhp(name)} => ${quotePhp(value)}`).join(', ')}]`);
  return [
    '<?php',
    `$ch = curl_init(${quotePhp(url)});`,
    `curl_setopt_array($ch, [\n    ${options.join(',\n    ')},\n]);`,
    'echo curl_exec($ch);',
  ].join('\n');
}

function examplesOf(example: Example): string {
  return [
    '**curl**', '', '```sh', curlExample(example), '```', '',
    '**Python** (requests)', '', '```python', pythonExample(example), '```', '',
    '**PHP** (curl)', '', '```php', phpExample(example), '```',
  ].join('\n');
}

/** A copy of the document whose every operation's description ends with its examples. */
export function withCodeExamples(document: Json, baseUrl: string): Json {
  const paths = isObject(document.paths) ? document.paths : {};
  const base = baseUrl.replace(/\/$/, '');
  const withExamples: Json = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const copy: Json = { ...item };
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const url = `${base}${path.replace(/\{[^}]+\}/g, '1')}`;
      const example = { method: method.toUpperCase(), url, bearer: needsBearer(operation, document), fields: requiredFields(operation) };
      const description = typeof operation.description === 'string' ? `${operation.description}\n\n` : '';
      copy[method] = { ...operation, description: `${description}${examplesOf(example)}` };
    }
    withExamples[path] = copy;
  }
  return { ...document, paths: withExamples };
}
