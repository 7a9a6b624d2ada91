// model1: prints what it receives and passes every tensor on unchanged, like the
// Data Pipelines tutorial's model.py. Output i carries input i (model_1_input_X → model_1_output_X).
const SUFFIXES = ['string', 'UINT8_array', 'INT8_array', 'FP32_image', 'bool'];

function preview(t) {
  const values = t.dtype === 'BYTES' ? t.strings() : t.numbers();
  const head = values.slice(0, 8).map((v) => JSON.stringify(v)).join(', ');
  return `${t.name} ${t.dtype} [${t.shape.join(', ')}]: ${head}${values.length > 8 ? ', …' : ''}`;
}

export default class TritonPythonModel {
  execute(requests) {
    return requests.map((request) => {
      console.log('Model 1 received');
      const outputs = [];
      for (const suffix of SUFFIXES) {
        const t = pb_utils.get_input_tensor_by_name(request, `model_1_input_${suffix}`);
        console.log(preview(t));
        outputs.push(new pb_utils.Tensor(`model_1_output_${suffix}`, t.data, t.shape, t.dtype));
      }
      return new pb_utils.InferenceResponse({ output_tensors: outputs });
    });
  }
}
