// Tests of the chat request translation of parts beyond text: thoughts, inline media, resolved files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedFiles } from './resolve-file-parts.js';
import { refusal, SERVER, translate } from './testing/chat-request-kit.js';

test('thought parts are dropped; parts no chat message can hold are refused by name', () => {
  const { body } = translate({ contents: [{ role: 'user', parts: [{ text: 'hidden', thought: true }, { text: 'shown' }] }] });
  assert.deepEqual(body.messages, [{ role: 'user', content: 'shown' }]);
  const error = refusal({ contents: [{ role: 'user', parts: [{ text: 'run' }] }, { role: 'model', parts: [{ executableCode: { language: 'PYTHON', code: 'print(1)' } }] }] });
  assert.equal(error.message, `contents[1].parts[0].executableCode is not supported by the OpenAI-compatible backend (${SERVER})`);
  assert.match(refusal({ contents: [{ role: 'user', parts: [{ functionCall: { name: 'x' } }] }] }).message, /belong in a 'model' turn/);
});

test('inline images become data-URL image parts beside the text; WAV audio input_audio; text media plain text; PDF is refused', () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
  const wav = Buffer.from('RIFF....WAVE').toString('base64');
  const { body } = translate({
    contents: [
      {
        role: 'user',
        parts: [
          { text: 'What is in this picture?' },
          { inlineData: { mimeType: 'image/png', data: png } },
          { inlineData: { mimeType: 'audio/wav', data: wav } },
          { inlineData: { mimeType: 'text/plain', data: Buffer.from('a note').toString('base64') } },
        ],
      },
    ],
  });
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
        { type: 'input_audio', input_audio: { data: wav, format: 'wav' } },
        { type: 'text', text: 'a note' },
      ],
    },
  ]);
  const pdf = refusal({ contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } }] }] });
  assert.match(pdf.message, /^contents\[0\]\.parts\[0\]: application\/pdf is not supported by the OpenAI-compatible backend/);
  assert.match(refusal({ contents: [{ role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: png } }] }] }).message, /inlineData parts in a 'model' turn/);
});

test('fileData parts use the resolved file: images as data URLs, text files as text, other media refused', () => {
  const files: ResolvedFiles = new Map([
    ['files/cat', { mimeType: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff]) }],
    ['files/notes', { mimeType: 'text/markdown', data: Buffer.from('# Notes\nBuy milk') }],
    ['files/clip', { mimeType: 'video/mp4', data: Buffer.from([0]) }],
  ]);
  const { body } = translate(
    { contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/cat' } }, { fileData: { fileUri: 'files/notes', mimeType: 'text/markdown' } }, { text: 'Describe.' }] }] },
    files,
  );
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
        { type: 'text', text: '# Notes\nBuy milk' },
        { type: 'text', text: 'Describe.' },
      ],
    },
  ]);
  assert.match(refusal({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/clip' } }] }] }, files).message, /video\/mp4 is not supported/);
});
