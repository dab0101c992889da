// Tests of message content → Gemini parts: text, images (data and http URLs), audio, files, text-only content, refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { textContent, userContentParts } from './chat-content-parts.js';
import { refusal } from './testing/refusal.js';

describe('userContentParts', () => {
  test('a string is one text part', () => {
    assert.deepEqual(userContentParts('hi', 'messages[0].content'), [{ text: 'hi' }]);
  });

  test('image data URLs become inlineData; http(s) URLs become fileData with a guessed MIME type', () => {
    const parts = userContentParts(
      [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large' } },
        { type: 'image_url', image_url: { url: 'http://example.com/picture' } },
      ],
      'messages[0].content',
    );
    assert.deepEqual(parts, [
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=large' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'http://example.com/picture' } },
    ]);
  });

  test('input_audio becomes inlineData of its format; file parts become inlineData or a Files API fileData', () => {
    const parts = userContentParts(
      [
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        { type: 'file', file: { file_data: 'JVBERi0=', filename: 'b.pdf' } },
        { type: 'file', file: { file_id: 'abc123' } },
        { type: 'file', file: { file_id: 'files/def456', filename: 'notes.txt' } },
      ],
      'c',
    );
    assert.deepEqual(parts, [
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'audio/mp3', data: 'SUQz' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { fileData: { fileUri: 'files/abc123' } },
      { fileData: { mimeType: 'text/plain', fileUri: 'files/def456' } },
    ]);
  });

  test('bad parts are refused naming the field', () => {
    const param = (content: unknown) => refusal(() => userContentParts(content, 'messages[1].content')).param;
    assert.equal(param([{ type: 'image_url', image_url: { url: 'ftp://example.com/x.png' } }]), 'messages[1].content[0].image_url.url');
    assert.equal(param([{ type: 'image_url', image_url: { url: 'data:image/png,notbase64' } }]), 'messages[1].content[0].image_url.url');
    assert.equal(param([{ type: 'image_url' }]), 'messages[1].content[0].image_url');
    assert.equal(param([{ type: 'input_audio', input_audio: { data: 'x', format: 'flac' } }]), 'messages[1].content[0].input_audio.format');
    assert.equal(param([{ type: 'video_url', video_url: {} }]), 'messages[1].content[0].type');
    assert.equal(param([{ text: 'no type' }]), 'messages[1].content[0].type');
    assert.equal(param([{ type: 'file', file: { file_data: 'AAAA' } }]), 'messages[1].content[0].file.file_data');
    assert.equal(param([]), 'messages[1].content');
    assert.equal(param(42), 'messages[1].content');
    assert.equal(param(undefined), 'messages[1].content');
  });
});

describe('textContent', () => {
  test('a string or text parts; assistant content may hold refusal parts; absent content is no text', () => {
    assert.deepEqual(textContent('a', 'p'), ['a']);
    assert.deepEqual(textContent([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], 'p'), ['a', 'b']);
    assert.deepEqual(textContent([{ type: 'refusal', refusal: 'no' }], 'p', true), ['no']);
    assert.deepEqual(textContent(null, 'p'), []);
    assert.equal(refusal(() => textContent([{ type: 'refusal', refusal: 'no' }], 'p')).param, 'p[0].type');
    assert.equal(refusal(() => textContent([{ type: 'image_url', image_url: { url: 'https://x/y.png' } }], 'p')).param, 'p[0].type');
  });
});
