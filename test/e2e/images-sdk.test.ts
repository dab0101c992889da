/**
 * The Batch API guide's "Generating images in batch" flow (Nano Banana) through the official
 * @google/genai SDK against `batchmode serve` on the built-in simulated model: the inline and
 * the input-file JavaScript examples as written, with the base URL and key changed and these
 * deviations, each forced: `console.log` goes to a log; the file is written to a temp folder
 * and awaited before the upload (the guide uploads while its write stream may still be
 * flushing, from a path relative to the current directory); the results file is downloaded with
 * `downloadPath` and read back (the guide's `ai.files.download({file})` returns nothing in the
 * Node SDK, so its `fileContentBuffer.toString()` cannot run anywhere); and each image is
 * decoded and saved as `image_<n>.png`, as the guide's Python does. Then the PNGs are checked
 * (signature, CRCs, inflated pixels, IHDR size for the asked aspect ratio), and a text-only model
 * asked for IMAGE fails that line with INVALID_ARGUMENT. TypeScript needs a few non-null `!`s
 * the guide's JavaScript does without.
 */
/* eslint-disable @typescript-eslint/no-unsafe-enum-comparison, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-base-to-string, @typescript-eslint/restrict-template-expressions --
   the guide's code compares the SDK's JobState enum with strings, reads JSON.parse untyped and prints error objects; it is kept as written. */
import { GoogleGenAI, JobState } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodePng } from '../../src/backends/simulated/testing/decode-png.js';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'images-sdk-key';

describe('generating images in batch through @google/genai (the guide\'s Nano Banana flow)', () => {
  let server: ServerProcess;
  let ai: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-images-'));
  const logged: string[] = [];
  const log = (...values: unknown[]): void => void logged.push(values.map(String).join(' '));
  const save = (name: string, base64: string): void => writeFileSync(join(work, name), Buffer.from(base64, 'base64'));

  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  });
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('inline requests for images: the guide\'s code runs, two responses with text and a decodable PNG each', { timeout: 120_000 }, async () => {
    // 1. Create batch job with inline requests
    const inlinedRequests = [
      {
        contents: [{parts: [{text: 'A big letter A surrounded by animals starting with the A letter'}]}],
        config: {responseModalities: ['TEXT', 'IMAGE']}
      },
      {
        contents: [{parts: [{text: 'A big letter B surrounded by animals starting with the B letter'}]}],
        config: {responseModalities: ['TEXT', 'IMAGE']}
      }
    ];
    const inlineBatchJob = await ai.batches.create({
      model: 'gemini-3-pro-image-preview',
      src: inlinedRequests,
      config: {
        displayName: 'inlined-image-requests-job-1',
      }
    });
    log(inlineBatchJob);

    // 2. Monitor job status
    let batchJob;
    const completedStates = new Set([
      'JOB_STATE_SUCCEEDED',
      'JOB_STATE_FAILED',
      'JOB_STATE_CANCELLED',
      'JOB_STATE_EXPIRED',
    ]);
    batchJob = await ai.batches.get({name: inlineBatchJob.name!});
    while (!completedStates.has(batchJob.state!)) {
      log(`Current state: ${batchJob.state}`);
      // Wait for 10 seconds before polling again
      await new Promise(resolve => setTimeout(resolve, 10000));
      batchJob = await ai.batches.get({ name: batchJob.name! });
    }
    log(`Job finished with state: ${batchJob.state}`);

    // 3. Retrieve results
    if (batchJob.state === 'JOB_STATE_SUCCEEDED') {
      if (batchJob.dest?.inlinedResponses) {
        log("Results are inline:");
        for (let i = 0; i < batchJob.dest.inlinedResponses.length; i++) {
          const inlineResponse = batchJob.dest.inlinedResponses[i]!;
          log(`Response ${i + 1}:`);
          if (inlineResponse.response) {
            for (const part of inlineResponse.response.candidates![0]!.content!.parts!) {
              if (part.text) {
                log(part.text);
              } else if (part.inlineData) {
                log(`Image mime type: ${part.inlineData.mimeType}`);
                save(`image_${i + 1}.png`, part.inlineData.data!);
              }
            }
          } else if (inlineResponse.error) {
            log(`Error: ${inlineResponse.error}`);
          }
        }
      } else {
        log("No inline results found.");
      }
    } else if (batchJob.state === 'JOB_STATE_FAILED') {
      log(`Error: ${typeof batchJob.error === 'string' ? batchJob.error : batchJob.error!.message || JSON.stringify(batchJob.error)}`);
    }
    assert.equal(batchJob.state, 'JOB_STATE_SUCCEEDED');
    assert.equal(logged.filter((line) => /^Response \d:$/.test(line)).length, 2);
    assert.ok(logged.includes('Image mime type: image/png'));
    assert.ok(logged.some((line) => /letter A/.test(line) && !line.startsWith('[')), 'the text part quotes the prompt');
    for (const name of ['image_1.png', 'image_2.png']) {
      const png = decodePng(readFileSync(join(work, name)));
      assert.deepEqual([png.width, png.height], [256, 256], `${name}: 1:1 by default`);
    }
    assert.notDeepEqual(readFileSync(join(work, 'image_1.png')), readFileSync(join(work, 'image_2.png')));
  });

  test('an input file for images: the guide\'s code runs, each result line holds a PNG, saved per key', { timeout: 120_000 }, async () => {
    // 1. Create and upload file
    const fileName = join(work, 'my-batch-image-requests.jsonl');
    const requests = [
      { "key": "request-1", "request": { "contents": [{ "parts": [{ "text": "A big letter A surrounded by animals starting with the A letter" }] }], "generation_config": {"responseModalities": ["TEXT", "IMAGE"]} } },
      { "key": "request-2", "request": { "contents": [{ "parts": [{ "text": "A big letter B surrounded by animals starting with the B letter" }] }], "generation_config": {"responseModalities": ["TEXT", "IMAGE"]} } }
    ];
    writeFileSync(fileName, requests.map((req) => JSON.stringify(req) + '\n').join(''));

    const uploadedFile = await ai.files.upload({file: fileName, config: { mimeType: 'jsonl' }});
    log(`Uploaded file: ${uploadedFile.name}`);

    // 2. Create batch job
    const fileBatchJob = await ai.batches.create({
      model: 'gemini-3-pro-image-preview',
      src: uploadedFile.name!,
      config: {
        displayName: 'file-image-upload-job-1',
      }
    });
    log(fileBatchJob);

    // 3. Monitor job status
    let batchJob;
    const completedStates = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED']);
    batchJob = await ai.batches.get({name: fileBatchJob.name!});
    while (!completedStates.has(batchJob.state!)) {
      log(`Current state: ${batchJob.state}`);
      await new Promise(resolve => setTimeout(resolve, 10000));
      batchJob = await ai.batches.get({ name: batchJob.name! });
    }
    log(`Job finished with state: ${batchJob.state}`);

    // 4. Retrieve results
    const saved: string[] = [];
    if (batchJob.state === 'JOB_STATE_SUCCEEDED') {
      if (batchJob.dest?.fileName) {
        const resultFileName = batchJob.dest.fileName;
        log(`Results are in file: ${resultFileName}`);
        log("Downloading result file content...");
        const downloadPath = join(work, 'batch_image_results.jsonl');
        await ai.files.download({ file: resultFileName, downloadPath });
        const fileContentBuffer = readFileSync(downloadPath);
        const fileContent = fileContentBuffer.toString('utf-8');
        for (const line of fileContent.split('\n')) {
          if (line) {
            const parsedResponse = JSON.parse(line);
            if (parsedResponse.response) {
              for (const part of parsedResponse.response.candidates[0].content.parts) {
                if (part.text) {
                  log(part.text);
                } else if (part.inlineData) {
                  log(`Image mime type: ${part.inlineData.mimeType}`);
                  save(`${parsedResponse.key}.png`, part.inlineData.data);
                  saved.push(parsedResponse.key);
                }
              }
              assert.equal(parsedResponse.response.usageMetadata.candidatesTokensDetails.find((detail: { modality: string }) => detail.modality === 'IMAGE').tokenCount, 1290);
            } else if (parsedResponse.error) {
              log(`Error: ${parsedResponse.error}`);
            }
          }
        }
      } else {
        log("No result file found.");
      }
    } else if (batchJob.state === 'JOB_STATE_FAILED') {
      log(`Error: ${typeof batchJob.error === 'string' ? batchJob.error : batchJob.error!.message || JSON.stringify(batchJob.error)}`);
    }
    assert.equal(batchJob.state, 'JOB_STATE_SUCCEEDED');
    assert.deepEqual(saved, ['request-1', 'request-2']);
    for (const key of saved) assert.equal(decodePng(readFileSync(join(work, `${key}.png`))).width, 256);
  });

  test('aspect ratios reach the image size; IMAGE asked of a text model fails only that line', { timeout: 120_000 }, async () => {
    const ratios = ['16:9', '9:16', '21:9', '4:5'];
    const job = await ai.batches.create({
      model: 'gemini-2.5-flash-image',
      src: ratios.map((aspectRatio) => ({ contents: [{ parts: [{ text: `a ${aspectRatio} postcard` }] }], config: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio } } })),
    });
    const done = await pollUntil(() => ai.batches.get({ name: job.name! }), (batch) => batch.state === JobState.JOB_STATE_SUCCEEDED, 60_000);
    const sizes = done.dest!.inlinedResponses!.map((item) => {
      const png = decodePng(item.response!.candidates![0]!.content!.parts![0]!.inlineData!.data!);
      return `${png.width}x${png.height}`;
    });
    assert.deepEqual(sizes, ['256x144', '144x256', '256x110', '205x256']);

    const upload = join(work, 'mixed.jsonl');
    writeFileSync(upload, [
      { key: 'ok', request: { contents: [{ parts: [{ text: 'a haiku' }] }] } },
      { key: 'wants-image', request: { contents: [{ parts: [{ text: 'a cat' }] }], generation_config: { response_modalities: ['TEXT', 'IMAGE'] } } },
    ].map((line) => `${JSON.stringify(line)}\n`).join(''));
    const file = await ai.files.upload({ file: upload, config: { mimeType: 'jsonl' } });
    const textJob = await ai.batches.create({ model: 'gemini-2.5-flash', src: file.name! });
    const ended = await pollUntil(() => ai.batches.get({ name: textJob.name! }), (batch) => batch.state === JobState.JOB_STATE_SUCCEEDED, 60_000);
    const results = join(work, 'mixed-results.jsonl');
    await ai.files.download({ file: ended.dest!.fileName!, downloadPath: results });
    const lines = readFileSync(results, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; response?: unknown; error?: { code: number; status: string; message: string } });
    assert.deepEqual(lines.map((line) => [line.key, line.error?.status ?? 'ok']), [['ok', 'ok'], ['wants-image', 'INVALID_ARGUMENT']]);
    assert.match(lines[1]!.error!.message, /response modalities: image/);
    assert.ok(readdirSync(work).length > 0);
  });
});
