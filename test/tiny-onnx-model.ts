/**
 * Builds a tiny feature-extraction model on disk, laid out as on the Hugging
 * Face hub, so the transformers.js embedder is tested without the network:
 * a word-level tokenizer, a config, and an ONNX graph (written with protobufjs
 * from the few ONNX message types it needs) whose "hidden state" for each
 * token is a fixed vector from an embedding table, zeroed where the attention
 * mask is 0. Mean pooling over such a model is the average of the words'
 * vectors, which the test can compute by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

// Field numbers are those of onnx/onnx.proto.
const ONNX_SUBSET = `
syntax = "proto3";
package onnx;
message AttributeProto { string name = 1; int64 i = 3; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
message TensorShapeProto { repeated Dimension dim = 1; }
message TensorTypeProto { int32 elem_type = 1; TensorShapeProto shape = 2; }
message TypeProto { TensorTypeProto tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;

export const TINY_VOCABULARY = ['[PAD]', '[UNK]', 'light', 'speed', 'observer', 'same', 'every', 'the', 'is', 'for', 'candle', 'flame', 'hot'];
export const TINY_DIMENSIONS = 4;

/** The embedding of token id `id`: deterministic, distinct per token. */
export function tinyVector(id: number): number[] {
  return Array.from({ length: TINY_DIMENSIONS }, (_, d) => Math.sin(id * 1.3 + d * 0.7) + (d === id % TINY_DIMENSIONS ? 1 : 0));
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } } };
}

export function writeTinyModel(dir: string): void {
  const root = protobuf.parse(ONNX_SUBSET).root;
  const Model = root.lookupType('onnx.ModelProto');
  const table = new Float32Array(TINY_VOCABULARY.flatMap((_, id) => tinyVector(id)));
  const axes = new BigInt64Array([-1n]);
  const model = {
    irVersion: 8,
    producerName: 'lacuna-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      initializer: [
        { name: 'embeddings', dataType: FLOAT, dims: [TINY_VOCABULARY.length, TINY_DIMENSIONS], rawData: Buffer.from(table.buffer) },
        { name: 'axes', dataType: INT64, dims: [1], rawData: Buffer.from(axes.buffer) },
      ],
      node: [
        { opType: 'Gather', input: ['embeddings', 'input_ids'], output: ['gathered'], name: 'gather', attribute: [{ name: 'axis', i: 0, type: ATTRIBUTE_INT }] },
        { opType: 'Cast', input: ['attention_mask'], output: ['mask_float'], name: 'cast', attribute: [{ name: 'to', i: FLOAT, type: ATTRIBUTE_INT }] },
        { opType: 'Unsqueeze', input: ['mask_float', 'axes'], output: ['mask_3d'], name: 'unsqueeze' },
        { opType: 'Mul', input: ['gathered', 'mask_3d'], output: ['last_hidden_state'], name: 'mask' },
      ],
      input: [valueInfo('input_ids', INT64, ['batch', 'sequence']), valueInfo('attention_mask', INT64, ['batch', 'sequence'])],
      output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', TINY_DIMENSIONS])],
    },
  };
  const problem = Model.verify(model);
  if (problem) throw new Error(`tiny ONNX model: ${problem}`);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), Model.encode(Model.fromObject(model)).finish());
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: TINY_DIMENSIONS, vocab_size: TINY_VOCABULARY.length }));
  const vocab = Object.fromEntries(TINY_VOCABULARY.map((token, id) => [token, id]));
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [
        { id: 0, content: '[PAD]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
        { id: 1, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      ],
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
    }),
  );
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'PreTrainedTokenizer', model_max_length: 64, pad_token: '[PAD]', unk_token: '[UNK]' }));
}
