// A running sum per sequence, as ../../accumulator/1/model.py keeps it.
// The sequence batcher adds START (1 on a sequence's first request), END (1 on its last),
// READY (1 where a batch slot holds a request) and CORRID (its correlation id) to every request.
export default class TritonPythonModel {
  initialize() {
    // correlation id (as text) -> running sum
    this.sums = new Map();
  }

  execute(requests) {
    return requests.map((request) => {
      const get = (name) => pb_utils.get_input_tensor_by_name(request, name);
      const values = get('INPUT').numbers();
      const [start, end, ready] = ['START', 'END', 'READY'].map((n) => get(n).numbers());
      // 64-bit ids stay exact as BigInt; the map keys on their text.
      const corrids = Array.from(get('CORRID').data, (id) => String(id));
      const out = new Int32Array(values.length);
      values.forEach((value, i) => {
        if (!ready[i]) return;
        const key = corrids[i];
        const total = (start[i] ? 0 : (this.sums.get(key) ?? 0)) + value;
        out[i] = total;
        if (end[i]) {
          this.sums.delete(key);
          console.log(`sequence ${key} ended at ${total}`);
        } else {
          this.sums.set(key, total);
        }
      });
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUTPUT', out, [values.length, 1])] });
    });
  }
}
