/*
 * The document types a CV may be, told by the bytes (magic numbers), never
 * by the file's name or the type the client declared. DOCX and ODT are ZIP
 * archives, told apart from any other ZIP by the entries they must hold:
 * `[Content_Types].xml` and `word/…` for DOCX, a first entry `mimetype`
 * naming the ODT type for ODT. Plain text is UTF-8 without control bytes
 * other than tab, line feed, form feed and carriage return.
 */
export interface DocumentType {
  /** As messages name it. */
  readonly name: 'pdf' | 'doc' | 'docx' | 'odt' | 'rtf' | 'txt';
  readonly contentType: string;
}

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  { name: 'pdf', contentType: 'application/pdf' },
  { name: 'doc', contentType: 'application/msword' },
  { name: 'docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  { name: 'odt', contentType: 'application/vnd.oasis.opendocument.text' },
  { name: 'rtf', contentType: 'application/rtf' },
  { name: 'txt', contentType: 'text/plain; charset=utf-8' },
];

const typeNamed = (name: DocumentType['name']) => DOCUMENT_TYPES.find((type) => type.name === name) as DocumentType;

const startsWith = (data: Buffer, signature: string) =>
  data.subarray(0, signature.length).equals(Buffer.from(signature, 'latin1'));

const ODT_MIMETYPE = 'application/vnd.oasis.opendocument.text';

/** The type the bytes are, or undefined for anything else. */
export function sniffDocumentType(data: Buffer): DocumentType | undefined {
  if (startsWith(data, '%PDF-')) return typeNamed('pdf');
  // The OLE2 compound file that Word 97–2003 writes.
  if (startsWith(data, '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1')) return typeNamed('doc');
  if (startsWith(data, '{\\rtf')) return typeNamed('rtf');
  if (startsWith(data, 'PK\x03\x04')) return sniffZip(data);
  return isPlainText(data) ? typeNamed('txt') : undefined;
}

function sniffZip(data: Buffer): DocumentType | undefined {
  if (firstEntryIsOdtMimetype(data)) return typeNamed('odt');
  const names = zipEntryNames(data);
  if (names.includes('[Content_Types].xml') && names.some((name) => name.startsWith('word/'))) return typeNamed('docx');
  return undefined;
}

/* ODF requires `mimetype` first and stored uncompressed, so its bytes follow the first local header. */
function firstEntryIsOdtMimetype(data: Buffer): boolean {
  if (data.length < 30) return false;
  const method = data.readUInt16LE(8);
  const nameLength = data.readUInt16LE(26);
  const extraLength = data.readUInt16LE(28);
  const name = data.subarray(30, 30 + nameLength).toString('latin1');
  if (method !== 0 || name !== 'mimetype') return false;
  const start = 30 + nameLength + extraLength;
  return data.subarray(start, start + ODT_MIMETYPE.length).toString('latin1') === ODT_MIMETYPE;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const MAX_COMMENT = 0xffff;
const MAX_ENTRIES = 10_000;

/** The names in a ZIP's central directory (found from its end record), or none when it has no readable one. */
function zipEntryNames(data: Buffer): string[] {
  const earliest = Math.max(0, data.length - 22 - MAX_COMMENT);
  let end = -1;
  for (let at = data.length - 22; at >= earliest; at -= 1) {
    if (data.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return [];
  const entries = Math.min(data.readUInt16LE(end + 10), MAX_ENTRIES);
  let at = data.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let index = 0; index < entries; index += 1) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== DIRECTORY_ENTRY) break;
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    names.push(data.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/* Tab, line feed, form feed and carriage return are text; any other C0 control byte or DEL is not. */
function isPlainText(data: Buffer): boolean {
  if (data.length === 0) return false;
  for (const byte of data) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f) return false;
  }
  try {
    utf8.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** A file name as a download should carry it: the client's base name, its extension made the type's. */
export function downloadFilename(sent: string, type: DocumentType): string {
  const base = sent.split(/[\\/]/).pop() ?? '';
  // Control characters and quotes have no place in a header's file name.
  const clean = [...base.replace(/[\u0000-\u001f\u007f"]/g, '').trim()].slice(0, 200).join('');
  const stem = clean.replace(/\.[^.]*$/, '').trim() || 'cv';
  return `${stem}.${type.name}`;
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 5987). */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
