import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentDisposition, downloadFilename, sniffDocumentType } from '../../src/applications/documents.ts';
import { DOCX, ELF, ODT, PDF, PE, zipOf } from '../support/applications.ts';
import { IMAGES } from '../support/fixtures.ts';

describe('CV types, told by their bytes', () => {
  const cases: [string, Buffer, string | undefined][] = [
    ['a PDF', PDF, 'pdf'],
    ['a Word 97 document (OLE2)', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]), 'doc'],
    ['a DOCX', DOCX, 'docx'],
    ['an ODT', ODT, 'odt'],
    ['an RTF', Buffer.from('{\\rtf1\\ansi Hello}'), 'rtf'],
    ['UTF-8 text', Buffer.from('Curriculum vitæ\r\n\tAda — accountant\n'), 'txt'],
    ['an ELF executable', ELF, undefined],
    ['a PE executable', PE, undefined],
    ['a PNG', IMAGES.png, undefined],
    ['a ZIP that is neither DOCX nor ODT', zipOf([['notes.txt', 'hello']]), undefined],
    ['a ZIP naming [Content_Types].xml without word/', zipOf([['[Content_Types].xml', '<Types/>'], ['xl/workbook.xml', '']]), undefined],
    ['text with a NUL byte', Buffer.from('abc\x00def', 'latin1'), undefined],
    ['bytes that are not UTF-8', Buffer.from([0x41, 0xc3, 0x28]), undefined],
    ['nothing', Buffer.alloc(0), undefined],
  ];
  for (const [what, data, expected] of cases) {
    it(`tells ${what}: ${expected ?? 'refused'}`, () => {
      assert.equal(sniffDocumentType(data)?.name, expected);
    });
  }

  it("names a download by the client's base name with the type's extension", () => {
    const pdf = sniffDocumentType(PDF)!;
    assert.equal(downloadFilename('C:\\Users\\ada\\my cv.exe', pdf), 'my cv.pdf');
    assert.equal(downloadFilename('../../etc/"passwd"', pdf), 'passwd.pdf');
    assert.equal(downloadFilename('', pdf), 'cv.pdf');
  });

  it('writes Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266, 5987)', () => {
    assert.equal(attachmentDisposition('cv.pdf'), `attachment; filename="cv.pdf"; filename*=UTF-8''cv.pdf`);
    assert.equal(attachmentDisposition("Zoë's CV.pdf"), `attachment; filename="Zo_'s CV.pdf"; filename*=UTF-8''Zo%C3%AB%27s%20CV.pdf`);
  });
});
