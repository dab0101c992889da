// Grounding supports from [n] citations: sentences, UTF-8 byte offsets, unknown markers, the simulated citing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citeEverySentence, groundingSupports, sentenceRanges } from './grounding-supports.js';

test('each sentence citing a source becomes a support with byte offsets into the UTF-8 text', () => {
  const text = 'Paris is the capital of France [1]. It has 2 million people.\nThe Seine flows through it [2][3]. Fête de la musique is in June [1, 2].';
  const supports = groundingSupports(text, 3);
  assert.deepEqual(supports.map((support) => support.groundingChunkIndices), [[0], [1, 2], [0, 1]]);
  assert.deepEqual(supports[0]?.segment, { endIndex: 35, text: 'Paris is the capital of France [1].' });
  const bytes = Buffer.from(text, 'utf8');
  for (const { segment } of supports) {
    assert.equal(bytes.subarray(segment.startIndex ?? 0, segment.endIndex).toString('utf8'), segment.text);
  }
  const fete = supports[2]?.segment;
  assert.equal(fete?.text, 'Fête de la musique is in June [1, 2].');
  assert.equal((fete?.endIndex ?? 0) - (fete?.startIndex ?? 0), Buffer.byteLength(fete?.text ?? ''), 'ê counts two bytes');
  assert.notEqual(fete?.endIndex, text.indexOf('[1, 2].') + 7, 'not a UTF-16 index');
});

test('a citation after the full stop stays with its sentence; markers beyond the sources and uncited sentences give nothing', () => {
  assert.deepEqual(sentenceRanges('One. [1] Two? Three'), [[0, 8], [9, 13], [14, 19]]);
  assert.deepEqual(groundingSupports('One. [1] Two [9]. Three.', 2).map((support) => support.segment.text), ['One. [1]']);
  assert.deepEqual(groundingSupports('Nothing cited here.', 2), []);
  assert.deepEqual(groundingSupports('Version 2.5 is out [1].', 1).map((support) => support.segment.text), ['Version 2.5 is out [1].']);
  assert.equal(groundingSupports('x [1].', 1, 2)[0]?.segment.partIndex, 2);
});

test('citeEverySentence marks uncited sentences round robin and keeps cited ones', () => {
  assert.equal(citeEverySentence('A one. B two [2]. C three.', 2), 'A one. [1] B two [2]. C three. [1]');
  assert.equal(citeEverySentence('No sources.', 0), 'No sources.');
});
