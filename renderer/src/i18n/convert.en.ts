/** English messages of "Convert to ONNX" on a PyTorch model's view (merged into `en`). */
export const convertEn = {
  'convert.title': 'Convert to ONNX',
  'convert.intro':
    'Exports this TorchScript model to ONNX with torch (torch.onnx.export, with the same tensor names and a variable batch dimension when the model batches), opens it in the lab’s “converted” model repository, and runs both on the same seeded random inputs to show how far apart their answers are.',
  'convert.button': 'Convert to ONNX',
  'convert.again': 'Convert again',
  'convert.running': 'Exporting with torch and comparing both models… {seconds} s',
  'convert.needs': 'Needs Python with torch: {cmd} (Debian/Ubuntu) or pip install torch.',
  'convert.failed': 'The conversion failed: {msg}',
  'convert.result.title': 'Both models answer the same',
  'convert.result.differs': 'The answers differ',
  'convert.result.maxDiff': 'Largest absolute difference',
  'convert.result.maxDiffIs': 'Largest absolute difference:',
  'convert.result.samples': '{n, plural, one {# seeded input} other {# seeded inputs}}, opset {opset}, {torch}',
  'convert.result.output': 'Output',
  'convert.result.shape': 'Shape (first input)',
  'convert.result.file': 'Written to:',
  'convert.result.open': 'Open {model}',
  'convert.result.note': 'Differences below about 1e-5 are float rounding: the two runtimes add in a different order.',
};
