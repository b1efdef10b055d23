/*
 * The image types a logo may be, told apart by the first bytes of the file
 * (its magic number), never by its name or the type the client declared:
 * those are the client's word, and a file served as an image must be one.
 * Four fixed signatures are a few lines; a detection library (file-type and
 * its tokenizer dependencies) would be more code than it replaces.
 */
export interface ImageType {
  /** As the contract's messages name it. */
  readonly name: 'png' | 'jpeg' | 'gif' | 'webp';
  /** Of the stored file's name. */
  readonly extension: 'png' | 'jpg' | 'gif' | 'webp';
  readonly contentType: string;
}

/** Signatures are written as latin1 strings: one character per byte. */
const has = (data: Buffer, offset: number, signature: string) =>
  data.subarray(offset, offset + signature.length).equals(Buffer.from(signature, 'latin1'));

const SIGNATURES: readonly [ImageType, (data: Buffer) => boolean][] = [
  [{ name: 'png', extension: 'png', contentType: 'image/png' }, (data) => has(data, 0, '\x89PNG\r\n\x1a\n')],
  [{ name: 'jpeg', extension: 'jpg', contentType: 'image/jpeg' }, (data) => has(data, 0, '\xff\xd8\xff')],
  [{ name: 'gif', extension: 'gif', contentType: 'image/gif' }, (data) => has(data, 0, 'GIF87a') || has(data, 0, 'GIF89a')],
  // A RIFF container (its length in bytes 4 to 7) whose form is WEBP.
  [{ name: 'webp', extension: 'webp', contentType: 'image/webp' }, (data) => has(data, 0, 'RIFF') && has(data, 8, 'WEBP')],
];

export const IMAGE_TYPES: readonly ImageType[] = SIGNATURES.map(([type]) => type);

/** The type the bytes are, or undefined for anything else. */
export function sniffImageType(data: Buffer): ImageType | undefined {
  return SIGNATURES.find(([, matches]) => matches(data))?.[0];
}

export function imageTypeByExtension(extension: string): ImageType | undefined {
  return IMAGE_TYPES.find((type) => type.extension === extension);
}

/** Bytes known, from their signature, to be an image of this type. */
export interface ImageFile {
  readonly data: Buffer;
  readonly type: ImageType;
}
