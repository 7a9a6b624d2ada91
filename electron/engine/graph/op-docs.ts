/**
 * One-line descriptions of the common ONNX operators, written for the lab's
 * node sidebar, with a category that colours node boxes, joined with the
 * operator's signature from the specification (op-schemas) at the model's
 * opset: input and output roles and attributes with their defaults. Operators
 * the table does not describe but the schemas know get a generic line and the
 * schema's category; unknown ones (custom domains) a line naming their domain.
 */
import type { OpDoc } from '../../contract/inspect-api';
import { normalDomain, opSchema, opsetFor } from './op-schemas';

type Category = OpDoc['category'];

const TABLE: [string, Category, string][] = [
  // Layers: the operators that hold most of a network's weights.
  ['Conv', 'layer', 'Slides learned filters over the spatial dimensions of the input and adds an optional bias (a convolution).'],
  ['ConvTranspose', 'layer', 'The transpose of a convolution: spreads each input value over a filter-sized patch, typically to upsample.'],
  ['ConvInteger', 'layer', 'A convolution on 8-bit integer inputs and filters with zero points, producing 32-bit integer sums.'],
  ['Gemm', 'layer', 'General matrix multiply: alpha·A·B + beta·C, with optional transposes of A and B (a fully connected layer).'],
  ['MatMul', 'layer', 'Matrix product of two tensors, broadcasting over the leading (batch) dimensions as numpy.matmul does.'],
  ['MatMulInteger', 'layer', 'Matrix product of 8-bit integer tensors with zero points, accumulated in 32-bit integers.'],
  ['Einsum', 'layer', 'Multiplies and sums tensors along the axes named by an Einstein summation equation.'],
  ['LSTM', 'layer', 'A long short-term memory recurrent layer over a sequence, returning all hidden states and the last ones.'],
  ['GRU', 'layer', 'A gated recurrent unit layer over a sequence, returning all hidden states and the last one.'],
  ['RNN', 'layer', 'A plain recurrent layer (one activation per step) over a sequence.'],
  ['Attention', 'layer', 'Scaled dot-product attention of queries over keys and values, with optional mask and cache.'],
  ['MultiHeadAttention', 'layer', 'Attention computed in several heads at once and concatenated (a Microsoft contrib operator).'],
  ['DeformConv', 'layer', 'A convolution whose sampling positions are shifted by learned offsets per output location.'],
  // Activations.
  ['Relu', 'activation', 'Keeps positive values and replaces negative ones with zero.'],
  ['LeakyRelu', 'activation', 'Like Relu, but negative values are scaled by a small slope (alpha) instead of zeroed.'],
  ['PRelu', 'activation', 'Like LeakyRelu, with the negative slope learned per channel (given as a second input).'],
  ['Elu', 'activation', 'Exponential linear unit: x for positive x, alpha·(exp(x) − 1) otherwise.'],
  ['Selu', 'activation', 'Scaled exponential linear unit, the self-normalizing variant of Elu.'],
  ['Celu', 'activation', 'Continuously differentiable exponential linear unit.'],
  ['Sigmoid', 'activation', 'Squashes each value into (0, 1) with 1 / (1 + exp(−x)).'],
  ['HardSigmoid', 'activation', 'A piecewise linear approximation of the sigmoid: clip(alpha·x + beta, 0, 1).'],
  ['HardSwish', 'activation', 'x times HardSigmoid(x): a cheap approximation of Swish used in mobile networks.'],
  ['Tanh', 'activation', 'Hyperbolic tangent of each value, squashing it into (−1, 1).'],
  ['Softmax', 'activation', 'Turns values along an axis into probabilities that are positive and sum to one.'],
  ['LogSoftmax', 'activation', 'The logarithm of Softmax along an axis, computed in a numerically stable way.'],
  ['Hardmax', 'activation', 'Sets the largest value along an axis to 1 and every other value to 0.'],
  ['Softplus', 'activation', 'A smooth version of Relu: log(1 + exp(x)).'],
  ['Softsign', 'activation', 'x / (1 + |x|), a slower-saturating alternative to tanh.'],
  ['Gelu', 'activation', 'Gaussian error linear unit: x weighted by the probability that a standard normal is below x.'],
  ['Mish', 'activation', 'x·tanh(softplus(x)), a smooth self-gated activation.'],
  ['ThresholdedRelu', 'activation', 'Passes values above a threshold unchanged and sets the rest to zero.'],
  ['Clip', 'activation', 'Limits every value to the range [min, max] (Relu6 is Clip with 0 and 6).'],
  ['Swish', 'activation', 'x·sigmoid(alpha·x), also known as SiLU when alpha is 1.'],
  // Pooling.
  ['MaxPool', 'pool', 'Takes the maximum over sliding windows of the spatial dimensions.'],
  ['AveragePool', 'pool', 'Takes the mean over sliding windows of the spatial dimensions.'],
  ['GlobalAveragePool', 'pool', 'Averages each channel over all its spatial positions, leaving size 1 in those dimensions.'],
  ['GlobalMaxPool', 'pool', 'Takes the maximum of each channel over all its spatial positions.'],
  ['LpPool', 'pool', 'Takes the Lp norm over sliding windows of the spatial dimensions.'],
  ['GlobalLpPool', 'pool', 'Takes the Lp norm of each channel over all its spatial positions.'],
  ['MaxRoiPool', 'pool', 'Max-pools each region of interest to a fixed output size.'],
  ['RoiAlign', 'pool', 'Samples each region of interest on a fixed grid with bilinear interpolation (no rounding of box edges).'],
  ['MaxUnpool', 'pool', 'Puts values back at the positions a MaxPool took them from, zeros elsewhere.'],
  // Normalization and regularization.
  ['BatchNormalization', 'normalization', 'Normalizes each channel with a stored mean and variance, then scales and shifts it.'],
  ['InstanceNormalization', 'normalization', 'Normalizes each channel of each sample by its own spatial mean and variance.'],
  ['LayerNormalization', 'normalization', 'Normalizes over the trailing axes of each sample, then scales and shifts.'],
  ['GroupNormalization', 'normalization', 'Normalizes over groups of channels within each sample.'],
  ['RMSNormalization', 'normalization', 'Divides by the root mean square over the trailing axes, then scales.'],
  ['LRN', 'normalization', 'Local response normalization: divides each value by a sum of squares over neighbouring channels.'],
  ['LpNormalization', 'normalization', 'Divides values along an axis by their Lp norm.'],
  ['MeanVarianceNormalization', 'normalization', 'Subtracts the mean and divides by the standard deviation over the given axes.'],
  ['Dropout', 'normalization', 'Randomly zeroes values during training; at inference it passes the input through.'],
  ['SkipLayerNormalization', 'normalization', 'Adds a residual input and applies layer normalization in one step (a Microsoft contrib operator).'],
  // Shape: operators that change how the same values are laid out or read a shape.
  ['Reshape', 'shape', 'Gives the data a new shape with the same number of elements (0 keeps a dimension, −1 infers one).'],
  ['Flatten', 'shape', 'Collapses the dimensions before and after an axis into a two-dimensional tensor.'],
  ['Squeeze', 'shape', 'Removes dimensions of size one (all of them, or the listed axes).'],
  ['Unsqueeze', 'shape', 'Inserts dimensions of size one at the listed axes.'],
  ['Transpose', 'shape', 'Reorders the dimensions by a permutation (reversed when none is given).'],
  ['Shape', 'shape', 'Outputs the input’s shape as a 1-D INT64 tensor (optionally a slice of it).'],
  ['Size', 'shape', 'Outputs the input’s element count as an INT64 scalar.'],
  ['Expand', 'shape', 'Broadcasts the input to a larger shape, repeating values along size-one dimensions.'],
  ['DepthToSpace', 'shape', 'Moves blocks of channels into spatial positions (used for pixel-shuffle upsampling).'],
  ['SpaceToDepth', 'shape', 'Moves spatial blocks into channels, the inverse of DepthToSpace.'],
  // Tensor: picking, joining and converting values.
  ['Concat', 'tensor', 'Joins tensors end to end along one axis.'],
  ['Split', 'tensor', 'Cuts a tensor into several along one axis, in equal parts or given sizes.'],
  ['SplitToSequence', 'tensor', 'Cuts a tensor along an axis into a sequence of tensors.'],
  ['Slice', 'tensor', 'Takes a sub-range of the input along given axes, with start, end and step per axis.'],
  ['Gather', 'tensor', 'Picks entries along one axis at the given indices (an embedding lookup, for instance).'],
  ['GatherElements', 'tensor', 'Picks one value per index position along an axis; the output has the shape of the indices.'],
  ['GatherND', 'tensor', 'Picks slices addressed by index tuples over the leading dimensions.'],
  ['Scatter', 'tensor', 'Writes updates into a copy of the data at the given indices along an axis (replaced by ScatterElements).'],
  ['ScatterElements', 'tensor', 'Writes each update into a copy of the data at its index along an axis, optionally combining with the old value.'],
  ['ScatterND', 'tensor', 'Writes update slices into a copy of the data at positions addressed by index tuples.'],
  ['Pad', 'tensor', 'Adds values around the edges: a constant, a reflection, or the edge value repeated.'],
  ['Tile', 'tensor', 'Repeats the whole tensor a given number of times along each dimension.'],
  ['Cast', 'tensor', 'Converts every value to another element type.'],
  ['CastLike', 'tensor', 'Converts every value to the element type of a second input.'],
  ['Identity', 'tensor', 'Passes its input through unchanged.'],
  ['Resize', 'tensor', 'Scales the spatial size by interpolation (nearest, linear or cubic) to given scales or sizes.'],
  ['Upsample', 'tensor', 'Enlarges the input by scale factors (an older form of Resize).'],
  ['GridSample', 'tensor', 'Reads the input at positions given by a sampling grid, interpolating between pixels.'],
  ['Compress', 'tensor', 'Keeps the slices along an axis where a boolean condition is true.'],
  ['ReverseSequence', 'tensor', 'Reverses the first n elements of each sequence in a batch, n given per sequence.'],
  ['Trilu', 'tensor', 'Keeps the upper or lower triangle of the last two dimensions and zeroes the rest.'],
  ['TopK', 'tensor', 'Returns the k largest (or smallest) values along an axis and their indices.'],
  ['ArgMax', 'tensor', 'Returns the index of the largest value along an axis.'],
  ['ArgMin', 'tensor', 'Returns the index of the smallest value along an axis.'],
  ['NonZero', 'tensor', 'Returns the indices of the non-zero elements, one row per dimension.'],
  ['Unique', 'tensor', 'Returns the distinct values with their indices, inverse indices and counts.'],
  ['OneHot', 'tensor', 'Turns indices into one-hot vectors of a given depth.'],
  ['CumSum', 'tensor', 'Running sum along an axis, optionally exclusive or reversed.'],
  ['NonMaxSuppression', 'tensor', 'Selects boxes by score while dropping those that overlap a better box too much.'],
  ['SequenceAt', 'tensor', 'Returns the tensor at a position of a sequence.'],
  ['SequenceConstruct', 'tensor', 'Builds a sequence from its input tensors.'],
  ['SequenceInsert', 'tensor', 'Inserts a tensor into a sequence at a position.'],
  ['SequenceLength', 'tensor', 'Returns the number of tensors in a sequence.'],
  ['ConcatFromSequence', 'tensor', 'Joins the tensors of a sequence along an axis.'],
  // Data: values produced inside the graph.
  ['Constant', 'data', 'Outputs a fixed tensor stored in the node itself.'],
  ['ConstantOfShape', 'data', 'Outputs a tensor of a given shape filled with one value.'],
  ['Range', 'data', 'Outputs the numbers from start towards limit in steps of delta.'],
  ['EyeLike', 'data', 'Outputs a 2-D tensor with ones on a diagonal and zeros elsewhere, shaped like its input.'],
  ['RandomNormal', 'data', 'Outputs values drawn from a normal distribution.'],
  ['RandomNormalLike', 'data', 'Outputs normally distributed values in the shape of its input.'],
  ['RandomUniform', 'data', 'Outputs values drawn uniformly from a range.'],
  ['RandomUniformLike', 'data', 'Outputs uniformly distributed values in the shape of its input.'],
  ['Multinomial', 'data', 'Draws class indices from the probabilities given per row.'],
  ['Bernoulli', 'data', 'Draws 0 or 1 per element with the probability given by the input.'],
  // Logic and comparisons.
  ['Equal', 'logic', 'True where the two inputs are equal (with broadcasting).'],
  ['Greater', 'logic', 'True where the first input is greater than the second.'],
  ['GreaterOrEqual', 'logic', 'True where the first input is greater than or equal to the second.'],
  ['Less', 'logic', 'True where the first input is less than the second.'],
  ['LessOrEqual', 'logic', 'True where the first input is less than or equal to the second.'],
  ['And', 'logic', 'Element-wise logical AND of two boolean tensors.'],
  ['Or', 'logic', 'Element-wise logical OR of two boolean tensors.'],
  ['Xor', 'logic', 'Element-wise logical exclusive OR of two boolean tensors.'],
  ['Not', 'logic', 'Element-wise logical negation.'],
  ['Where', 'logic', 'Takes values from the second input where the condition is true, from the third elsewhere.'],
  ['IsNaN', 'logic', 'True where a value is not a number.'],
  ['IsInf', 'logic', 'True where a value is positive or negative infinity.'],
  ['BitShift', 'logic', 'Shifts the bits of integers left or right.'],
  ['BitwiseAnd', 'logic', 'Element-wise bitwise AND of integers.'],
  ['BitwiseOr', 'logic', 'Element-wise bitwise OR of integers.'],
  ['BitwiseXor', 'logic', 'Element-wise bitwise exclusive OR of integers.'],
  ['BitwiseNot', 'logic', 'Element-wise bitwise negation of integers.'],
  // Control flow.
  ['If', 'control', 'Runs one of two subgraphs depending on a boolean condition.'],
  ['Loop', 'control', 'Runs a subgraph repeatedly, carrying state between iterations, up to a count or while a condition holds.'],
  ['Scan', 'control', 'Runs a subgraph over slices of its inputs, carrying state from one slice to the next.'],
  // Quantization.
  ['QuantizeLinear', 'quantization', 'Maps real values to low-precision integers with a scale and zero point.'],
  ['DequantizeLinear', 'quantization', 'Maps quantized integers back to real values with a scale and zero point.'],
  ['DynamicQuantizeLinear', 'quantization', 'Quantizes to 8 bits with a scale and zero point computed from the input itself.'],
  ['QLinearConv', 'quantization', 'A convolution on quantized inputs and weights, producing a quantized output.'],
  ['QLinearMatMul', 'quantization', 'A matrix product on quantized inputs, producing a quantized output.'],
  ['QLinearAdd', 'quantization', 'Adds two quantized tensors (a Microsoft contrib operator).'],
  ['MatMulNBits', 'quantization', 'A matrix product with weights packed in few bits per value (a Microsoft contrib operator).'],
  // Element-wise arithmetic and reductions.
  ['Add', 'other', 'Element-wise sum of two tensors, with numpy-style broadcasting.'],
  ['Sub', 'other', 'Element-wise difference of two tensors, with broadcasting.'],
  ['Mul', 'other', 'Element-wise product of two tensors, with broadcasting.'],
  ['Div', 'other', 'Element-wise quotient of two tensors, with broadcasting (integer division truncates).'],
  ['Pow', 'other', 'Raises each value of the first input to the power given by the second.'],
  ['Mod', 'other', 'Element-wise remainder, with the sign of the divisor or of the dividend (fmod).'],
  ['Neg', 'other', 'Flips the sign of each value.'],
  ['Abs', 'other', 'Absolute value of each element.'],
  ['Sign', 'other', 'Returns −1, 0 or 1 according to the sign of each value.'],
  ['Reciprocal', 'other', 'Computes 1 / x for each element.'],
  ['Sqrt', 'other', 'Square root of each element.'],
  ['Exp', 'other', 'Exponential of each element.'],
  ['Log', 'other', 'Natural logarithm of each element.'],
  ['Erf', 'other', 'The Gauss error function of each element.'],
  ['Floor', 'other', 'Rounds each value down to an integer.'],
  ['Ceil', 'other', 'Rounds each value up to an integer.'],
  ['Round', 'other', 'Rounds each value to the nearest integer, halves to even.'],
  ['Sin', 'other', 'Sine of each element.'],
  ['Cos', 'other', 'Cosine of each element.'],
  ['Tan', 'other', 'Tangent of each element.'],
  ['Asin', 'other', 'Arcsine of each element.'],
  ['Acos', 'other', 'Arccosine of each element.'],
  ['Atan', 'other', 'Arctangent of each element.'],
  ['Sinh', 'other', 'Hyperbolic sine of each element.'],
  ['Cosh', 'other', 'Hyperbolic cosine of each element.'],
  ['Max', 'other', 'Element-wise maximum over all its inputs.'],
  ['Min', 'other', 'Element-wise minimum over all its inputs.'],
  ['Sum', 'other', 'Element-wise sum over all its inputs.'],
  ['Mean', 'other', 'Element-wise mean over all its inputs.'],
  ['ReduceSum', 'other', 'Sums over the given axes, keeping them as size one or dropping them.'],
  ['ReduceMean', 'other', 'Averages over the given axes.'],
  ['ReduceMax', 'other', 'Takes the maximum over the given axes.'],
  ['ReduceMin', 'other', 'Takes the minimum over the given axes.'],
  ['ReduceProd', 'other', 'Multiplies over the given axes.'],
  ['ReduceL1', 'other', 'Sum of absolute values over the given axes.'],
  ['ReduceL2', 'other', 'Euclidean norm over the given axes.'],
  ['ReduceLogSum', 'other', 'Logarithm of the sum over the given axes.'],
  ['ReduceLogSumExp', 'other', 'Logarithm of the sum of exponentials over the given axes, computed stably.'],
  ['ReduceSumSquare', 'other', 'Sum of squares over the given axes.'],
  ['Det', 'other', 'Determinant of each square matrix in the last two dimensions.'],
  ['STFT', 'other', 'Short-time Fourier transform of a signal.'],
  ['DFT', 'other', 'Discrete Fourier transform along an axis.'],
  ['Acosh', 'other', 'Inverse hyperbolic cosine of each element.'],
  ['Asinh', 'other', 'Inverse hyperbolic sine of each element.'],
  ['Atanh', 'other', 'Inverse hyperbolic tangent of each element.'],
  ['CumProd', 'other', 'Running product along an axis, optionally exclusive or reversed.'],
  ['Shrink', 'activation', 'Zeroes values within ±lambd of zero and moves the others towards zero by bias.'],
  ['BlackmanWindow', 'data', 'Outputs a Blackman window of a given length, for spectral analysis.'],
  ['HannWindow', 'data', 'Outputs a Hann window of a given length, for spectral analysis.'],
  ['HammingWindow', 'data', 'Outputs a Hamming window of a given length, for spectral analysis.'],
  ['MelWeightMatrix', 'data', 'Outputs the matrix that maps linear-frequency bins to mel-frequency bins.'],
  ['NegativeLogLikelihoodLoss', 'other', 'The negative log-likelihood loss of log-probabilities against target classes.'],
  ['SoftmaxCrossEntropyLoss', 'other', 'The cross-entropy loss of softmax probabilities against target classes.'],
  ['TfIdfVectorizer', 'other', 'Counts n-grams of an integer or string sequence into a (weighted) term-frequency vector.'],
  ['RegexFullMatch', 'logic', 'True where a string matches a regular expression in full.'],
  ['StringConcat', 'tensor', 'Joins two string tensors element by element.'],
  ['StringNormalizer', 'tensor', 'Changes the case of strings and removes stop words.'],
  ['StringSplit', 'tensor', 'Splits each string at a separator into a padded tensor of substrings and their counts.'],
  // Tensors and sequences beyond the common ones.
  ['AffineGrid', 'tensor', 'Builds the sampling grid of an affine transform, for GridSample.'],
  ['BitCast', 'tensor', 'Reinterprets the bits of each value as another element type of the same width.'],
  ['CenterCropPad', 'tensor', 'Crops or pads the given axes around the centre to a target size.'],
  ['Col2Im', 'shape', 'Rearranges column blocks back into an image, summing overlaps (the inverse of im2col).'],
  ['ImageDecoder', 'data', 'Decodes an encoded image (JPEG, PNG, …) from bytes into a pixel tensor.'],
  ['TensorScatter', 'tensor', 'Writes an update into a cache tensor at per-batch positions (for key/value caches).'],
  ['SequenceEmpty', 'tensor', 'Outputs an empty sequence of a given element type.'],
  ['SequenceErase', 'tensor', 'Removes the tensor at a position of a sequence.'],
  ['SequenceMap', 'control', 'Runs a subgraph on each tensor of a sequence and collects the results.'],
  ['Optional', 'data', 'Wraps a value (or nothing) as an optional.'],
  ['OptionalGetElement', 'data', 'Unwraps the value of an optional.'],
  ['OptionalHasElement', 'logic', 'True when an optional holds a value.'],
  // Transformer building blocks (default domain and onnxruntime's com.microsoft).
  ['RotaryEmbedding', 'layer', 'Rotates pairs of query or key channels by position-dependent angles (rotary position embedding).'],
  ['GroupQueryAttention', 'layer', 'Attention in which groups of query heads share key and value heads, with a key/value cache (a Microsoft contrib operator).'],
  ['PackedAttention', 'layer', 'Attention over a batch packed without padding tokens (a Microsoft contrib operator).'],
  ['PackedMultiHeadAttention', 'layer', 'Multi-head attention over a batch packed without padding tokens (a Microsoft contrib operator).'],
  ['SparseAttention', 'layer', 'Attention restricted to a block-sparse layout of query and key positions (a Microsoft contrib operator).'],
  ['DecoderMaskedMultiHeadAttention', 'layer', 'Multi-head attention for one decoding step over a key/value cache (a Microsoft contrib operator).'],
  ['EmbedLayerNormalization', 'normalization', 'Sums word, position and segment embeddings and layer-normalizes the result (a Microsoft contrib operator).'],
  ['SimplifiedLayerNormalization', 'normalization', 'Root-mean-square layer normalization: divides by the RMS over the trailing axes, then scales (onnxruntime).'],
  ['SkipSimplifiedLayerNormalization', 'normalization', 'Adds a residual input, then applies RMS layer normalization in one step (a Microsoft contrib operator).'],
  ['GroupNorm', 'normalization', 'Group normalization over channels-last input, optionally followed by Swish (a Microsoft contrib operator).'],
  ['SkipGroupNorm', 'normalization', 'Adds a residual input, then applies group normalization in one step (a Microsoft contrib operator).'],
  ['BiasGelu', 'activation', 'Adds a bias, then applies Gelu (a Microsoft contrib operator).'],
  ['FastGelu', 'activation', 'Gelu approximated with tanh, after an optional bias (a Microsoft contrib operator).'],
  ['QuickGelu', 'activation', 'x·sigmoid(alpha·x), a sigmoid approximation of Gelu (a Microsoft contrib operator).'],
  ['BiasSoftmax', 'activation', 'Adds a bias, then applies Softmax (a Microsoft contrib operator).'],
  ['BiasAdd', 'other', 'Adds a bias and a residual input in one step (a Microsoft contrib operator).'],
  ['FusedConv', 'layer', 'A convolution followed by an activation in one step (a Microsoft contrib operator).'],
  ['NhwcConv', 'layer', 'A convolution on channels-last (NHWC) data (a Microsoft contrib operator).'],
  ['FusedGemm', 'layer', 'Gemm followed by an activation in one step (a Microsoft contrib operator).'],
  ['FusedMatMul', 'layer', 'MatMul with optional transposes and a scale factor in one step (a Microsoft contrib operator).'],
  ['Inverse', 'other', 'Inverse of each square matrix in the last two dimensions (a Microsoft contrib operator).'],
  // Quantized forms of common operators (com.microsoft).
  ['QLinearMul', 'quantization', 'Multiplies two quantized tensors (a Microsoft contrib operator).'],
  ['QLinearConcat', 'quantization', 'Joins quantized tensors along an axis, requantizing them to one scale (a Microsoft contrib operator).'],
  ['QLinearSigmoid', 'quantization', 'Sigmoid on a quantized tensor (a Microsoft contrib operator).'],
  ['QLinearLeakyRelu', 'quantization', 'LeakyRelu on a quantized tensor (a Microsoft contrib operator).'],
  ['QLinearSoftmax', 'quantization', 'Softmax on a quantized tensor (a Microsoft contrib operator).'],
  ['QLinearAveragePool', 'quantization', 'Average pooling on a quantized tensor (a Microsoft contrib operator).'],
  ['QLinearGlobalAveragePool', 'quantization', 'Global average pooling on a quantized tensor (a Microsoft contrib operator).'],
  ['QLinearReduceMean', 'quantization', 'Mean over axes of a quantized tensor (a Microsoft contrib operator).'],
  ['QLinearWhere', 'quantization', 'Where on quantized tensors (a Microsoft contrib operator).'],
  ['QGemm', 'quantization', 'Gemm on quantized inputs, with a quantized or real output (a Microsoft contrib operator).'],
  ['QAttention', 'quantization', 'Attention with quantized input and weights (a Microsoft contrib operator).'],
  ['DynamicQuantizeMatMul', 'quantization', 'Quantizes its input on the fly, then multiplies by quantized weights (a Microsoft contrib operator).'],
  ['MatMulIntegerToFloat', 'quantization', 'An integer matrix product scaled back to real values in one step (a Microsoft contrib operator).'],
  ['GatherBlockQuantized', 'quantization', 'Gathers rows of a block-quantized table and dequantizes them (a Microsoft contrib operator).'],
  // Generation loops (com.microsoft).
  ['BeamSearch', 'control', 'Generates sequences by beam search, running decoder subgraphs step by step (a Microsoft contrib operator).'],
  ['GreedySearch', 'control', 'Generates sequences by taking the most likely token at each step (a Microsoft contrib operator).'],
  ['Sampling', 'control', 'Generates sequences by sampling tokens from the decoder’s distribution (a Microsoft contrib operator).'],
];

const DOCS = new Map<string, [Category, string]>(TABLE.map(([opType, category, summary]) => [opType, [category, summary]]));

function domainText(domain: string): string {
  return domain === '' ? 'the standard ONNX domain' : `the '${domain}' domain`;
}

/**
 * The lab's description of an operator. With the model's opset imports, the
 * signature is the one in force at the model's version of the operator's
 * domain; without them, the newest.
 */
export function opDoc(opType: string, domain = '', opsets?: readonly { domain: string; version: number }[]): OpDoc {
  const dom = normalDomain(domain);
  const known = dom === '' || dom === 'com.microsoft' ? DOCS.get(opType) : undefined;
  const schema = opSchema(opType, dom, opsetFor(dom, opsets));
  const doc: OpDoc = known
    ? { opType, category: known[0], summary: known[1] }
    : schema
      ? { opType, category: schema.category, summary: `${opType} from ${domainText(dom)} (introduced in version ${schema.sinceVersion} of its operator set); the lab has no description of it yet.` }
      : { opType, category: 'other', summary: `${opType} from ${domainText(dom)}; the lab has no description of it (see the documentation of the runtime or exporter that defines it).` };
  doc.domain = dom;
  if (schema) {
    // Copies: the schemas are cached and shared, summaries are handed to callers.
    doc.sinceVersion = schema.sinceVersion;
    doc.inputs = schema.inputs.map((p) => ({ ...p }));
    doc.outputs = schema.outputs.map((p) => ({ ...p }));
    doc.attributes = schema.attributes.map((a) => ({ ...a }));
  }
  return doc;
}

/** The operator types the table describes (for tests and docs). */
export const DESCRIBED_OP_TYPES: readonly string[] = TABLE.map(([opType]) => opType);

/** How many operators the table describes (for tests and docs). */
export const DESCRIBED_OPS = DOCS.size;
