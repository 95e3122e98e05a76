/**
 * The few messages of ONNX's `onnx.proto` (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto,
 * proto2) that a feed-forward model needs, declared with protobufjs's reflection API: field names
 * and numbers are the schema's, so what {@linkcode ModelProto} encodes is a standard `.onnx` file.
 * Fields ajuste never writes (sparse tensors, training info, functions, …) are left out; a decoder
 * of the full schema reads these messages unchanged.
 *
 * @module
 */

import protobuf from "protobufjs";

const { Field, OneOf, Root, Type } = protobuf;

/** `TensorProto.DataType` values used here. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;

/** `AttributeProto.AttributeType` values used here. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3 } as const;

function message(name: string, fields: [string, number, string, "repeated"?][]) {
  const type = new Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) {
    type.add(new Field(fieldName, id, fieldType, rule ?? "optional"));
  }
  return type;
}

const dimension = message("Dimension", [
  ["dim_value", 1, "int64"],
  ["dim_param", 2, "string"],
  ["denotation", 3, "string"],
]).add(new OneOf("value", ["dim_value", "dim_param"]));

const tensorShape = message("TensorShapeProto", [["dim", 1, "Dimension", "repeated"]])
  .add(dimension);

const tensorType = message("Tensor", [
  ["elem_type", 1, "int32"],
  ["shape", 2, "TensorShapeProto"],
]);

const typeProto = message("TypeProto", [
  ["tensor_type", 1, "Tensor"],
  ["denotation", 6, "string"],
]).add(tensorType).add(new OneOf("value", ["tensor_type"]));

const stringStringEntry = message("StringStringEntryProto", [
  ["key", 1, "string"],
  ["value", 2, "string"],
]);

const tensorProto = message("TensorProto", [
  ["dims", 1, "int64", "repeated"],
  ["data_type", 2, "int32"],
  ["name", 8, "string"],
  ["raw_data", 9, "bytes"],
  ["doc_string", 12, "string"],
]);

const attributeProto = message("AttributeProto", [
  ["name", 1, "string"],
  ["f", 2, "float"],
  ["i", 3, "int64"],
  ["s", 4, "bytes"],
  ["doc_string", 13, "string"],
  ["type", 20, "int32"],
]);

const valueInfoProto = message("ValueInfoProto", [
  ["name", 1, "string"],
  ["type", 2, "TypeProto"],
  ["doc_string", 3, "string"],
]);

const nodeProto = message("NodeProto", [
  ["input", 1, "string", "repeated"],
  ["output", 2, "string", "repeated"],
  ["name", 3, "string"],
  ["op_type", 4, "string"],
  ["attribute", 5, "AttributeProto", "repeated"],
  ["doc_string", 6, "string"],
  ["domain", 7, "string"],
]);

const graphProto = message("GraphProto", [
  ["node", 1, "NodeProto", "repeated"],
  ["name", 2, "string"],
  ["initializer", 5, "TensorProto", "repeated"],
  ["doc_string", 10, "string"],
  ["input", 11, "ValueInfoProto", "repeated"],
  ["output", 12, "ValueInfoProto", "repeated"],
]);

const operatorSetId = message("OperatorSetIdProto", [
  ["domain", 1, "string"],
  ["version", 2, "int64"],
]);

const modelProto = message("ModelProto", [
  ["ir_version", 1, "int64"],
  ["producer_name", 2, "string"],
  ["producer_version", 3, "string"],
  ["domain", 4, "string"],
  ["model_version", 5, "int64"],
  ["doc_string", 6, "string"],
  ["graph", 7, "GraphProto"],
  ["opset_import", 8, "OperatorSetIdProto", "repeated"],
  ["metadata_props", 14, "StringStringEntryProto", "repeated"],
]);

const root = new Root();
const onnx = root.define("onnx");
for (
  const type of [
    tensorShape,
    typeProto,
    stringStringEntry,
    tensorProto,
    attributeProto,
    valueInfoProto,
    nodeProto,
    graphProto,
    operatorSetId,
    modelProto,
  ]
) {
  onnx.add(type);
}

root.resolveAll();

/** `onnx.ModelProto`: `ModelProto.encode(ModelProto.fromObject(…)).finish()` writes a file. */
export const ModelProto = modelProto;
